"""Real worker processes: killed mid-pass, and several at once — nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from tests.processes import verbind
from tests.smtp import SmtpServer
from verbind.followthrough.models import Lapse, Repair
from verbind.messaging import delivery
from verbind.messaging.channels.smtp_pool import AHEAD
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.obligations.models import Promise


def queue_messages(person, sender, count: int) -> list[str]:
    now = timezone.now()
    messages = [
        OutboxMessage(
            workspace=person.workspace,
            purpose=Purpose.FOLLOW_UP,
            state=State.QUEUED,
            person=person,
            sender=sender,
            language="en",
            to_address=f"relation{n}@example.org",
            subject=f"Hello {n}",
            body="Good to see you.",
            idempotency_key=f"test:{n}",
            message_id=f"<{uuid.uuid4().hex}@verbind.test>",
            next_attempt_at=now,
        )
        for n in range(count)
    ]
    OutboxMessage.objects.bulk_create(messages, batch_size=1000)
    return [m.message_id for m in messages]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_mid_pass_loses_nothing_and_doubles_nothing(person, owner):
    expected = queue_messages(person, owner, 200)
    with SmtpServer(delay=0.01) as server:
        env = {**server.environment(), "VERBIND_WORKER_LEASE_SECONDS": "2"}
        worker = verbind(
            "worker",
            "--idle",
            "0.2",
            extra_env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server.inbox.wait_for(50, seconds=60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sent_before = OutboxMessage.objects.filter(state=State.SENT).count()
        assert 0 < sent_before < 200, "the worker should have been stopped mid-pass"
        # The batch it had claimed is stuck in "sending" until its lease runs out.
        assert OutboxMessage.objects.filter(state=State.SENDING).count() <= delivery.BATCH
        time.sleep(2.5)  # the dead worker's lease runs out
        restart = verbind("worker", "--once", extra_env=env, stdout=subprocess.PIPE, text=True)
        out, _ = restart.communicate(timeout=120)
        assert restart.returncode == 0, out
    received = server.inbox.message_ids()
    assert set(received) == set(expected)  # nothing lost
    # A duplicate is only possible for a message the server accepted before the killed
    # worker had committed it as sent: a connection is at most AHEAD messages ahead of
    # what is written down, so at most AHEAD x connections (32) — and it then carries
    # the same Message-ID, so mail programs show it once.
    assert len(received) - len(set(received)) <= AHEAD * settings.WORKER_SEND_CONNECTIONS
    assert OutboxMessage.objects.filter(state=State.SENT).count() == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_workers_on_postgresql_handle_10000_due_items_exactly_once(person, owner):
    if connection.vendor != "postgresql":
        pytest.skip("runs only against PostgreSQL: set DATABASE_URL=postgres://… (.ci/run does)")
    expected = queue_messages(person, owner, 10_000)
    due = timezone.now() - timezone.timedelta(hours=1)
    Promise.objects.bulk_create(
        [
            Promise(
                workspace=person.workspace,
                owner=owner,
                person=person,
                what=f"Call back {n}",
                due_at=due,
            )
            for n in range(2_000)
        ]
    )
    with SmtpServer() as server:
        workers = [
            verbind(
                "worker",
                "--once",
                extra_env=server.environment(),
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outputs = [w.communicate(timeout=600)[0] for w in workers]
        assert all(w.returncode == 0 for w in workers), outputs
    received = server.inbox.message_ids()
    # Said apart, so a failure tells a mail sent twice from a mail nobody queued.
    unexpected = set(received) - set(expected)
    assert not unexpected, list(
        OutboxMessage.objects.filter(message_id__in=unexpected).values_list("idempotency_key")
    )
    twice = [message_id for message_id, n in Counter(received).items() if n > 1]
    assert not twice, twice
    assert len(received) == 10_000 and set(received) == set(expected)
    assert OutboxMessage.objects.filter(state=State.SENT).count() == 10_000
    assert Lapse.objects.count() == 2_000 and Repair.objects.count() == 2_000
    assert sum("send: " in out for out in outputs) >= 2, outputs  # the work was shared
