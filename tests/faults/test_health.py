"""Health you can watch: when a worker last completed a pass, what waits, whether mail
goes out — from /health (no sign-in, nothing sensitive) and `verbind status`."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.faults.conftest import queue
from tests.smtp import free_port
from verbind.messaging import outage
from verbind.worker import beats
from verbind.worker.loop import Worker


def health() -> tuple[int, dict]:
    answer = Client().get("/health")  # nobody signed in
    assert answer["Content-Type"] == "application/json"
    assert "no-cache" in answer["Cache-Control"]
    return answer.status_code, answer.json()


def status(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("status", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_without_a_worker_health_answers_503_and_status_exits_non_zero(db):
    code, body = health()
    assert code == 503 and body["status"] == "no worker has run"
    assert body["worker"]["last_pass_at"] is None
    exit_code, text = status()
    assert exit_code == 1 and "no pass completed yet" in text


def test_a_pass_makes_it_healthy_and_a_worker_stuck_past_the_threshold_unhealthy(
    settings, person
):
    settings.HEALTH_MAX_PASS_AGE_SECONDS = 600
    queue(person, 3)  # no mail server: they wait
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        Worker().run_pass()
        code, body = health()
        assert code == 200 and body["status"] == "ok"
        assert body["worker"] == {
            "last_pass_at": start.isoformat().replace("+00:00", "Z"),
            "age_seconds": 0,
            "max_age_seconds": 600,
            "workers": 1,
        }
        assert body["outbox"]["waiting"] == 3 and body["outbox"]["failed"] == 0
        assert body["mail_server"] == {"state": "up", "down_since": None}
        assert status()[0] == 0

        clock.shift(timedelta(seconds=601))  # the worker hangs
        code, body = health()
        assert code == 503 and body["status"] == "worker stuck"
        assert body["worker"]["age_seconds"] == 601
        exit_code, text = status()
        assert exit_code == 1 and "Stuck: no pass for longer than 10 min" in text
        exit_code, text = status("--json")
        assert exit_code == 1 and json.loads(text) == body


def test_passes_of_any_worker_count_the_one_beside_serve_and_a_separate_one(db):
    now = timezone.now()
    beats.record("web-host:101", now - timedelta(minutes=30))  # beside serve, stopped
    beats.record("worker-host:202", now - timedelta(seconds=5))
    code, body = health()
    assert code == 200 and body["worker"]["workers"] == 1
    assert body["worker"]["age_seconds"] in (5, 6)


def test_health_shows_a_mail_server_outage_but_nothing_sensitive(settings, person, owner):
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    queue(person, 2)
    Worker().run_pass()
    code, body = health()
    assert code == 200  # the server's outage; the worker keeps up and everything waits
    assert body["mail_server"]["state"] == "down"
    assert body["mail_server"]["down_since"] == outage.current().started_at.isoformat().replace(
        "+00:00", "Z"
    )
    text = json.dumps(body)
    for secret in (str(port), "127.0.0.1", person.name, person.email, owner.email, "example.org"):
        assert secret not in text
    exit_code, out = status()
    assert exit_code == 0 and "Mail server: DOWN since" in out and str(port) in out  # local CLI


@pytest.mark.django_db(transaction=True)
def test_verbind_status_runs_as_a_command(person):
    import subprocess

    from tests.processes import verbind

    run = verbind("status", stdout=subprocess.PIPE, text=True)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 1 and "Status: no worker has run" in out
    beats.record("w:1", timezone.now())
    run = verbind("status", "--json", stdout=subprocess.PIPE, text=True)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 0 and json.loads(out)["status"] == "ok"
