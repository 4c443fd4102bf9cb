"""`verbind bench --http` at a tiny size and for a moment: it serves, loads each page and
reports its figures (their speed is the bench's business, not a test's)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.bench.load import FLOORS, PAGES
from verbind.bench.management.commands.bench import Command

FIGURES = {"requests", "failed", "failed_because", "seconds", "requests_per_second", "p50_ms", "p95_ms", "p99_ms"}


def test_verbind_bench_http_loads_each_page_through_serve_and_reports_its_figures():
    out = io.StringIO()
    call_command(
        "bench", "--http", "--scale", "0.005", "--seconds", "0.5", "--clients", "2",
        "--workers", "2", "--json", stdout=out,
    )  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["database"] == "sqlite"
    assert figures["web_processes"] == 2  # as serve said it started
    assert figures["clients"] == 2 and figures["seconds"] == 0.5
    assert figures["search"] == "/people/?q=Person%201234"
    assert set(figures["pages"]) == set(PAGES)
    for name, page in figures["pages"].items():
        assert set(page) == FIGURES, name
        assert page["requests"] > 0 and page["failed"] == 0, (name, page["failed_because"])  # signed in; all answered 200
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["p99_ms"], name
    for name in ("today", "link", "search"):
        assert figures[f"{name}_share"] > 0
    assert figures["floors"] == FLOORS
    assert isinstance(figures["ok"], bool)

    table = io.StringIO()
    Command(stdout=table).http_table(figures)
    shown = table.getvalue()
    assert "Today" in shown and "People search" in shown and "p95" in shown
    assert "≥ 80%" in shown


def test_verbind_bench_http_refuses_no_clients():
    with pytest.raises(CommandError, match="--clients"):
        call_command("bench", "--http", "--clients", "0")
