"""The worker's side of the outbox: claim a queued message, send it, record the result.

Guarantee (see docs/outbox.md): every queued message is handed to the mail server
until the server accepts it, and it is marked sent only after that. A worker that
dies holding a claim loses it when its lease runs out, and another worker sends
the message with the same Message-ID. So nothing is lost; a duplicate is only
possible when a worker dies in the instant between the server accepting the mail
and the worker recording that — and then it carries the same Message-ID.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from verbind.messaging.channels import SendError
from verbind.messaging.models import OutboxMessage, State
from verbind.messaging.outbox import after_sent


def lease() -> timedelta:
    """How long a claim holds before the reaper gives the message to another worker."""
    return timedelta(seconds=settings.WORKER_LEASE_SECONDS)


MAX_ATTEMPTS = 8


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def claim_next(now, claimant: str) -> OutboxMessage | None:
    """Take one due message for this worker, or None. Safe with many workers at once."""
    due = OutboxMessage.objects.filter(state=State.QUEUED, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    for _ in range(5):
        if connection.vendor == "postgresql":
            # Skip rows other workers are claiming right now; the update below is what counts.
            with transaction.atomic():
                ids = list(due.select_for_update(skip_locked=True).values_list("id", flat=True)[:1])
                if not ids:
                    return None
                claimed = _claim(ids[0], now, claimant)
        else:
            ids = list(due.values_list("id", flat=True)[:1])
            if not ids:
                return None
            claimed = _claim(ids[0], now, claimant)
        if claimed:
            return OutboxMessage.objects.select_related("person", "sender", "repair").get(pk=ids[0])
    return None


def _claim(pk: int, now, claimant: str) -> bool:
    return bool(
        OutboxMessage.objects.filter(pk=pk, state=State.QUEUED).update(
            state=State.SENDING,
            claimed_until=now + lease(),
            claimed_by=claimant,
            attempts=F("attempts") + 1,
        )
    )


def deliver(message: OutboxMessage, channel, now=None) -> bool:
    """Send a claimed message through *channel*; True when it went out."""
    try:
        channel.send(message)
    except SendError as exc:
        now = now or timezone.now()
        give_up = exc.permanent or message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk, state=State.SENDING).update(
            state=State.FAILED if give_up else State.QUEUED,
            last_error=exc.reason,
            next_attempt_at=None if give_up else now + backoff(message.attempts),
            claimed_until=None,
            claimed_by="",
        )
        return False
    sent_at = timezone.now()
    with transaction.atomic():
        recorded = OutboxMessage.objects.filter(
            pk=message.pk, state=State.SENDING, claimed_by=message.claimed_by
        ).update(state=State.SENT, sent_at=sent_at, claimed_until=None, last_error="")
        if recorded:
            message.state, message.sent_at = State.SENT, sent_at
            after_sent(message)
    return True


def reap_one(now) -> bool:
    """Free one claim whose worker died (its lease ran out), so another worker sends it."""
    stale = (
        OutboxMessage.objects.filter(state=State.SENDING, claimed_until__lt=now)
        .values_list("id", flat=True)
        .first()
    )
    if stale is None:
        return False
    OutboxMessage.objects.filter(pk=stale, state=State.SENDING, claimed_until__lt=now).update(
        state=State.QUEUED,
        next_attempt_at=now,
        claimed_until=None,
        claimed_by="",
        last_error="The worker sending this stopped; trying again.",
    )
    return True
