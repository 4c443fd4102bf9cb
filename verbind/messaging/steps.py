"""Messaging's worker steps: free stale claims, send what is due, record what was sent."""

from __future__ import annotations

from time import monotonic

from django.conf import settings

from verbind.lib.steps import RowStep, Step, log
from verbind.messaging import delivery
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

    A message that cannot be sent is written down as a failed attempt with its
    reason and tried later (or failed for good); the batch goes on with the others.
    """

    name = "handle_one_send"
    order = 80

    def __init__(self, connections: int | None = None) -> None:
        self.claimant = delivery.worker_id()
        self.connections = connections or settings.WORKER_SEND_CONNECTIONS
        self.pool: SmtpPool | None = None

    def __call__(self, now) -> bool:
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
        sent, untried = [], []
        # Each result is written down the moment the server has answered.
        for message, error, tried in self.pool.send_many(batch, deadline):
            if not tried:
                untried.append(message)
            elif delivery.record_result(message, error, now):
                sent.append(message.pk)
        delivery.release(untried)
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
