"""Messaging's worker steps: free stale claims, send what is due, record what was sent."""

from __future__ import annotations

import threading
from time import monotonic

from django.conf import settings

from verbind.lib.connections import retried
from verbind.lib.steps import RowStep, Step, log
from verbind.messaging import delivery, outage
from verbind.messaging.channels import email
from verbind.messaging.channels.smtp_pool import SmtpPool
from verbind.messaging.models import OutboxMessage, State
from verbind.messaging.outbox import record_effects


class Reaper(RowStep):
    """Free one claim whose worker died (its lease ran out), so another worker sends it."""

    name = "reap_one"
    order = 70

    def due(self, now):
        return OutboxMessage.objects.filter(
            state=State.SENDING, claimed_until__lt=now
        ).order_by("claimed_until", "id")

    def handle(self, message, now):
        delivery.reap(message.pk, now)


class Sender(Step):
    """Send one batch of due messages; stop early, giving the rest back, well within the lease.

    A message that cannot be sent is written down with its reason and tried
    later (or failed, when the server refused it for good); the batch goes on
    with the others. When the server is down the batch stops, every message
    keeps its place, and the server is tried again later (``outage``).
    """

    name = "handle_one_send"
    order = 80

    def __init__(self, connections: int | None = None) -> None:
        self.claimant = delivery.worker_id()
        self.connections = connections or settings.WORKER_SEND_CONNECTIONS
        self.pool: SmtpPool | None = None

    def __call__(self, now) -> bool:
        down = outage.current()
        if down is not None and now < down.next_try_at:
            return False  # the server is down; it is tried again at next_try_at
        batch = delivery.claim_batch(now, self.claimant)
        if not batch:
            return False
        if not email.configured():  # queued while SMTP was set up; wait until it is again
            delivery.release(batch)
            return False
        if self.pool is None:
            self.pool = SmtpPool(self.connections)
        # Nothing is started after half the lease, so no claim can run out mid-send.
        deadline = monotonic() + delivery.lease().total_seconds() / 2
        halt = threading.Event()
        sent, untried, reached, lost = [], [], False, None
        # Each result is written down the moment the server has answered. A write the
        # database dropped is made again on a new connection: the claim is still ours.
        results = self.pool.send_many(batch, deadline, halt)
        try:
            for message, error, tried in results:
                if not tried:
                    untried.append(message)
                    continue
                if error is not None and error.outage:
                    lost = error
                    halt.set()  # the server is down: start nothing more in this batch
                else:
                    reached = True
                if retried(delivery.record_result, message, error, now):
                    sent.append(message.pk)
        finally:
            # The database stayed away: nothing new starts; what was claimed waits for its lease.
            results.close()
        retried(delivery.release, untried)
        if reached:
            outage.server_up(now)
        elif lost is not None:
            outage.server_down(now, lost.reason)
        record(sent)
        return True

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def record(ids: list[int]) -> None:
    """Record the effects of sent messages; one whose effects fail is left for the
    Recorder, which keeps it apart, and the others are recorded."""
    try:
        record_effects(ids)
    except Exception:
        log.exception("recording %d sent messages failed; recording them one by one", len(ids))
        for pk in ids:
            try:
                record_effects([pk])
            except Exception:
                log.exception("recording sent message %s failed", pk)


class Recorder(RowStep):
    """Make up for effects a dead worker (or a failing receiver) did not record."""

    name = "record_one_batch"
    order = 90

    def due(self, now):
        return delivery.unrecorded(now)

    def handle(self, message, now):
        record_effects([message.pk])


STEPS = [Reaper, Sender, Recorder]
