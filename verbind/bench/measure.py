"""The measurements of `verbind bench`, run inside a process pointed at a throwaway database."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone

from verbind.bench import reference
from verbind.followthrough.agenda import agenda_for
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.people import searchindex
from verbind.people.models import Person
from verbind.worker.loop import Worker
from verbind.workspaces.models import Membership


def agenda_timings(workspace, runs: int = 30) -> dict:
    """The agenda of one member, by the code the Today page uses, and by the hand-written
    SQL of ``bench.reference`` beside it (checked to find the same): median and p95 in ms."""
    membership = (
        Membership.objects.filter(workspace=workspace)
        .select_related("workspace", "user")
        .order_by("id")[1]
    )
    for _ in range(3):  # warm caches, as a running server would be
        agenda_for(membership)
        reference.agenda(membership)
    at = timezone.now()
    differences = reference.compare(agenda_for(membership, at), reference.agenda(membership, at))
    timings, by_hand = [], []
    items = 0
    for _ in range(runs):  # interleaved, so a busy moment weighs on both alike
        start = time.perf_counter()
        items = len(agenda_for(membership))
        timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        reference.agenda(membership)
        by_hand.append((time.perf_counter() - start) * 1000)
    timings.sort()
    median, reference_median = statistics.median(timings), statistics.median(by_hand)
    return {
        "agenda_median_ms": round(median, 2),
        "agenda_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "agenda_items": items,
        "reference_median_ms": round(reference_median, 3),
        "reference_ratio": round(median / reference_median, 2),
        "reference_same": not differences,
        "reference_differences": differences[:10],
    }


def worker_pass(workspace, count: int = 10_000) -> dict:
    """One worker pass over *count* due messages, sent to a local SMTP server in another process."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        people = list(
            Person.objects.filter(workspace=workspace).values_list("id", flat=True)[:count]
        )
        sender = Membership.objects.filter(workspace=workspace).order_by("id").first().user
        now = timezone.now()
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    workspace=workspace,
                    purpose=Purpose.FOLLOW_UP,
                    state=State.QUEUED,
                    person_id=people[n % len(people)],
                    sender=sender,
                    language="en",
                    to_address=f"relation{n}@bench.example",
                    subject="Following up",
                    body="Good to see you last week.",
                    idempotency_key=f"bench:{uuid.uuid4().hex}",
                    message_id=f"<{uuid.uuid4().hex}@bench.example>",
                    next_attempt_at=now,
                )
                for n in range(count)
            ],
            batch_size=5000,
        )
        # The people search index catches up with the 50,000 people the bench just made,
        # as the worker's housekeeping would have long before these messages were due.
        searchindex.refresh_all(connection)
        start = time.perf_counter()
        done = Worker().run_pass()
        seconds = time.perf_counter() - start
        sent = OutboxMessage.objects.filter(
            workspace=workspace, state=State.SENT, idempotency_key__startswith="bench:"
        ).count()
        others = OutboxMessage.objects.filter(workspace=workspace, state=State.SENT).count() - sent
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "worker_items": count,
        "worker_sent": sent,
        "worker_other_mail": others,
        "worker_seconds": round(seconds, 2),
        "worker_steps": {k: v for k, v in done.items() if v},
    }


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 15) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the local SMTP server did not start")
