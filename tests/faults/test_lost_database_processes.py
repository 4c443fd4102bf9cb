"""Real `verbind worker` and `verbind serve` processes on PostgreSQL whose backends are
terminated, idle and mid-pass: they reconnect by themselves and every message arrives once.

Real processes can only be watched, not driven: these poll with a generous timeout
and assert on what arrived, never on how fast.
"""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter

from tests.faults.conftest import backend_pid, others, queue, terminate
from tests.processes import verbind
from tests.smtp import SmtpServer, free_port
from verbind.worker.models import WorkerBeat


def until(condition, seconds: float = 90.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def passes() -> int:
    return sum(WorkerBeat.objects.values_list("passes", flat=True))


def stop(process) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    return out or ""


def test_a_worker_process_whose_backend_was_terminated_while_idle_sends_what_is_queued_next(
    postgres, person, figure
):
    with SmtpServer() as server:
        worker = verbind(
            "worker", "--idle", "0.2", extra_env=server.environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            until(lambda: passes() >= 2, what="the worker's first passes")
            killed = terminate(others(keep=[backend_pid()]))
            expected = queue(person, 100)
            until(lambda: len(server.inbox.messages) >= 100, what="100 messages")
            received = server.inbox.message_ids()
        finally:
            log = stop(worker)
    assert killed >= 1
    assert Counter(received) == Counter(expected), log  # 100/100, each once
    assert "the connection is closed" not in log
    figure(
        f"`verbind worker` backend terminated idle ({killed} backend(s)), then 100 queued: "
        f"{len(set(received))}/100 delivered, {len(received) - len(set(received))} twice"
    )


def test_a_worker_process_whose_backend_was_terminated_mid_pass_sends_each_message_once(
    postgres, person, figure
):
    expected = queue(person, 300)
    with SmtpServer(delay=0.01) as server:
        worker = verbind(
            "worker", "--idle", "0.2", extra_env=server.environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            until(lambda: len(server.inbox.messages) >= 50, what="the first 50 messages")
            accepted = len(server.inbox.messages)
            killed = terminate(others(keep=[backend_pid()]))  # while it sends
            until(lambda: len(server.inbox.messages) >= 300, what="all 300 messages")
            received = server.inbox.message_ids()
        finally:
            log = stop(worker)
    assert killed >= 1
    assert Counter(received) == Counter(expected), log  # 300/300, none twice
    figure(
        f"`verbind worker` backend terminated mid-pass (after {accepted} of 300 accepted): "
        f"{len(set(received))}/300 delivered, {len(received) - len(set(received))} twice"
    )


def test_the_worker_and_web_of_verbind_serve_carry_on_after_their_backends_were_terminated(
    postgres, person, figure
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with SmtpServer() as server:
        serve = verbind(
            "serve", "--port", str(port), extra_env=server.environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            until(lambda: answer(base + "/health")[0] == 200, what="a healthy serve")
            before = passes()
            killed = terminate(others(keep=[backend_pid()]))  # web and worker alike
            expected = queue(person, 100)
            until(lambda: len(server.inbox.messages) >= 100, what="100 messages")
            received = server.inbox.message_ids()
            until(lambda: passes() > before + 1, what="passes after the loss")
            code, body = answer(base + "/health")
        finally:
            log = stop(serve)
    assert killed >= 1
    assert Counter(received) == Counter(expected), log
    assert code == 200 and b'"status": "ok"' in body, log
    figure(
        f"`verbind serve` backends terminated ({killed}: web and worker): "
        f"{len(set(received))}/100 delivered, {len(received) - len(set(received))} twice; "
        f"/health {code} afterwards"
    )


def answer(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""
