"""`verbind bench --scheduling` at a tiny size: it runs and reports its figures (their speed is not tested)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.core.management import call_command

from verbind.bench.management.commands.bench import Command
from verbind.bench.scheduling import CalendarFile
from verbind.scheduling.calendars import parse

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=AMS)


def test_the_generated_calendar_is_five_years_of_mixed_recurrences_that_verbind_reads():
    made = CalendarFile(series=40, singles=0, now=NOW, total=200)
    text = made.ics().decode()
    assert made.events == text.count("BEGIN:VEVENT") == 200
    for shape in (
        "RRULE:FREQ=WEEKLY",
        "RRULE:FREQ=DAILY",
        "RRULE:FREQ=MONTHLY",
        "EXDATE",
        "DTSTART;TZID=Europe/Amsterdam:",
        "DTSTART;VALUE=DATE:",
        "BEGIN:VTIMEZONE",
    ):
        assert shape in text, shape
    series = [e for e in icalendar.Calendar.from_ical(text).walk("VEVENT") if "RRULE" in e]
    years = {e.decoded("DTSTART").year for e in series}
    assert min(years) <= NOW.year - 4 and max(years) == NOW.year  # started over five years
    assert parse(text.encode(), "bench.ics", AMS, ["vakantie"], now=NOW).blocks


def test_verbind_bench_scheduling_reports_free_times_and_the_sync():
    out = io.StringIO()
    call_command("bench", "--scheduling", "--scale", "0.01", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["database"] == "sqlite"
    assert figures["slots_found"] == figures["slots_wanted"] == 3
    assert figures["slots_runs"] == 200
    assert 0 < figures["slots_median_ms"] <= figures["slots_p95_ms"]
    assert figures["sync_vevents"] == 50 and figures["sync_busy_blocks"] > 0
    assert figures["sync_seconds"] > 0 and figures["resync_seconds"] > 0
    assert figures["floors"] == {"slots_median_ms": 20.0, "sync_seconds": 2.0}
    assert isinstance(figures["ok"], bool)

    table = io.StringIO()
    Command(stdout=table).scheduling_table(figures)
    shown = table.getvalue()
    assert "Free times in 2 weeks" in shown and f"{figures['slots_median_ms']} ms" in shown
    assert "Reading a 50-event .ics" in shown and "≤ 2 s" in shown
