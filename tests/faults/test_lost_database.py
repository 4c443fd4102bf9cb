"""The worker loses its PostgreSQL connection (a restart, a failover, an idle timeout,
pg_terminate_backend) and carries on by itself within one pass, sending each message once.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from tests.faults.conftest import backend_pid, elsewhere, queue, terminate
from tests.smtp import Inbox, SmtpServer
from verbind.messaging.models import OutboxMessage, State
from verbind.worker.loop import Worker


def mail_settings(settings, server: SmtpServer) -> None:
    for name, value in server.settings().items():
        setattr(settings, name, value)


def test_a_worker_whose_connection_was_terminated_while_idle_sends_everything_in_its_next_pass(
    postgres, settings, person, figure
):
    with SmtpServer() as server:
        mail_settings(settings, server)
        worker = Worker()
        worker.run_pass()  # connected, nothing to do: now it idles
        before = backend_pid()
        assert terminate([before]) == 1
        # Meanwhile people queue mail, through connections of their own.
        expected = elsewhere(queue, person, 100)
        done = worker.run_pass()
        assert done["handle_one_send"] >= 1
        received = server.inbox.message_ids()
    assert Counter(received) == Counter(expected)  # 100/100, each once, in one pass
    assert backend_pid() != before  # a new connection
    assert OutboxMessage.objects.filter(state=State.SENT, recorded_at__isnull=False).count() == 100
    figure(
        f"backend terminated idle (worker in-process): {len(set(received))}/100 delivered, "
        f"{len(received) - len(set(received))} twice, reconnected in 1 pass"
    )


class KillsTheWorker(Inbox):
    """A mail server during whose work the worker's database connection is terminated."""

    def __init__(self, after: int):
        super().__init__()
        self.after, self.pid, self.killed = after, None, 0

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.after:
            # Before our "250", so the worker finds its connection gone when it writes it down.
            self.killed = terminate([self.pid])
        return answer


def test_a_worker_whose_connection_was_terminated_mid_pass_sends_each_message_once(
    postgres, settings, person, figure
):
    expected = queue(person, 100)
    server = SmtpServer()
    server.inbox = KillsTheWorker(after=30)
    server.controller.handler = server.inbox
    with server:
        mail_settings(settings, server)
        worker = Worker()
        server.inbox.pid = backend_pid()
        worker.run_pass()
        received = server.inbox.message_ids()
    assert server.inbox.killed == 1
    assert Counter(received) == Counter(expected)  # 100/100, none twice, in the same pass
    figure(
        "backend terminated mid-pass (after the 30th of 100 was accepted, before it was "
        f"written down): {len(set(received))}/100 delivered in that same pass, "
        f"{len(received) - len(set(received))} twice"
    )
    assert OutboxMessage.objects.filter(state=State.SENT).count() == 100
    # What follows from sending (timeline entries) is recorded too, at the latest by the Recorder.
    Worker().run_pass(now=timezone.now() + timedelta(minutes=2))
    assert not OutboxMessage.objects.filter(state=State.SENT, recorded_at__isnull=True).exists()


def test_a_worker_that_loses_the_database_between_steps_takes_the_step_again(
    postgres, settings, person, monkeypatch, figure
):
    """Terminated just before the sending step: that step reconnects and sends, same pass."""
    from verbind.messaging.steps import Reaper

    expected = queue(person, 20)
    real = Reaper.__call__
    killed = []

    def reap_then_lose_the_database(self, now):
        found = real(self, now)
        if not killed:
            killed.append(terminate([backend_pid()]))
        return found

    monkeypatch.setattr(Reaper, "__call__", reap_then_lose_the_database)
    with SmtpServer() as server:
        mail_settings(settings, server)
        Worker().run_pass()
        received = server.inbox.message_ids()
    assert killed == [1]
    assert Counter(received) == Counter(expected)
    figure(f"backend terminated between two steps: {len(set(received))}/20 delivered, same pass")


def test_a_worker_that_loses_the_database_inside_a_transaction_takes_the_step_again(
    postgres, settings, person, monkeypatch, figure
):
    """Terminated while claiming a batch, in the transaction: it rolls back, and the step
    claims again on a new connection in the same pass."""
    from verbind.messaging import delivery

    expected = queue(person, 20)
    real = delivery.lease
    killed = []

    def lose_the_database_while_claiming():
        if not killed:  # called inside claim_batch's transaction
            killed.append(terminate([backend_pid()]))
        return real()

    monkeypatch.setattr(delivery, "lease", lose_the_database_while_claiming)
    with SmtpServer() as server:
        mail_settings(settings, server)
        Worker().run_pass()
        received = server.inbox.message_ids()
    assert killed == [1]
    assert Counter(received) == Counter(expected)
    assert not OutboxMessage.objects.exclude(state=State.SENT).exists()
    figure(
        f"backend terminated inside the claim's transaction: {len(set(received))}/20 delivered, "
        f"{len(received) - len(set(received))} twice, same pass"
    )
