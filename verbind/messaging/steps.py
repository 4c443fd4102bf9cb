"""Messaging's worker steps: free stale claims, send what is due, record what was sent."""

from __future__ import annotations

import threading
from datetime import timedelta
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
        return OutboxMessage.objects.filter(state=State.SENDING, claimed_until__lt=now).order_by(
            "claimed_until", "id"
        )

    def handle(self, message, now):
        delivery.reap(message.pk, now)


class Sender(Step):
    """Send due messages, a batch at a time; stop early, giving the rest back, well within the lease.

    While one batch goes out the results are written down in groups (``delivery.record_sent``,
    then their effects), and the next batch is claimed before the connections run dry, up
    to ``CLAIMS`` batches per call. A message that cannot be sent is written down with its
    reason and tried later (or failed, when the server refused it for good); the others go
    on. When the server is down sending stops, every message keeps its place, and the
    server is tried again later (``outage``).
    """

    name = "handle_one_send"
    order = 80
    CLAIMS = 10  # batches per call: the loop hears of a stop (SIGTERM) between calls
    RECORD_EVERY = 200  # sent messages whose effects are recorded together

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
        halt = threading.Event()
        started = monotonic()
        sending = self.pool.start(halt)
        sending.add(batch, _deadline())
        claims, untried, unrecorded, reached, lost = 1, [], [], False, None
        try:
            while sending.pending:
                group = sending.next_group()
                # This call's clock: a later batch's claim (and lease) starts when it is taken.
                current = now + timedelta(seconds=monotonic() - started)
                accepted = []
                for message, error, tried in group:
                    if not tried:
                        untried.append(message)
                    elif error is None:
                        accepted.append(message)
                        reached = True
                    else:
                        if error.outage:
                            lost = error
                            halt.set()  # the server is down: start nothing more
                        else:
                            reached = True
                        retried(delivery.record_result, message, error, current)
                # A write the database dropped is made again on a new connection: the
                # claim is still ours. Only then are the group's places given back.
                if accepted:
                    retried(delivery.record_sent, accepted)
                    unrecorded += accepted
                sending.written(group)
                if len(unrecorded) >= self.RECORD_EVERY:
                    record(unrecorded)
                    unrecorded = []
                if (
                    claims < self.CLAIMS
                    and not halt.is_set()
                    and sending.pending < delivery.BATCH // 2
                ):
                    # The next batch, before the connections run dry.
                    more = delivery.claim_batch(current, self.claimant)
                    claims = claims + 1 if more else self.CLAIMS
                    sending.add(more, _deadline())
        finally:
            # The database stayed away: nothing new starts; what was claimed waits for its lease.
            sending.close()
        retried(delivery.release, untried)
        if reached:
            outage.server_up(now)
        elif lost is not None:
            outage.server_down(now, lost.reason)
        record(unrecorded)
        return True

    def close(self, wait: bool = True) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _deadline() -> float:
    """Nothing is started after half the lease, so no claim can run out mid-send."""
    return monotonic() + delivery.lease().total_seconds() / 2


def record(messages: list[OutboxMessage]) -> None:
    """Record the effects of sent messages; one whose effects fail is left for the
    Recorder, which keeps it apart, and the others are recorded."""
    if not messages:
        return
    loaded = {message.pk: message for message in messages}
    try:
        record_effects(list(loaded), loaded=loaded)
    except Exception:
        log.exception("recording %d sent messages failed; recording them one by one", len(loaded))
        for pk in loaded:
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
