"""The worker's side of the outbox: claim a queued message, send it, record the result.

Guarantee (see docs/outbox.md): every queued message is handed to the mail server
until the server accepts it, and it is marked sent only after that. A worker that
dies holding a claim loses it when its lease runs out, and another worker sends
the message with the same Message-ID. So nothing is lost; a duplicate is only
possible when a worker dies between the server accepting the mail and the worker
committing that (results are committed in groups: at most ``smtp_pool.AHEAD`` per
connection are outstanding) — and then it carries the same Message-ID.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from verbind.lib.prepared import Prepared
from verbind.lib.steps import backoff
from verbind.messaging.channels import SendError
from verbind.messaging.models import OutboxMessage, State


def lease() -> timedelta:
    """How long a claim holds before the reaper gives the message to another worker."""
    return timedelta(seconds=settings.WORKER_LEASE_SECONDS)


MAX_ATTEMPTS = 8


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


BATCH = 200


def claim_batch(now, claimant: str, size: int = BATCH) -> list[OutboxMessage]:
    """Take up to *size* due messages for this worker. Safe with many workers at once.

    Each row is taken with a compare-and-set on its state, under a token that is
    this batch's alone; on PostgreSQL, SKIP LOCKED only keeps workers from
    queueing behind each other's rows.
    """
    token = f"{claimant}:{uuid.uuid4().hex[:12]}"
    due = OutboxMessage.objects.filter(state=State.QUEUED, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:size])
        if not ids:
            return []
        OutboxMessage.objects.filter(pk__in=ids, state=State.QUEUED).update(
            state=State.SENDING,
            claimed_until=now + lease(),
            claimed_by=token,
            attempts=F("attempts") + 1,
        )
    return CLAIMED.run(token=token)


# A batch as its claim took it, with what sending reads (the sender's address; recording
# reads each repair fresh): prepared once (lib.prepared), as the worker reads a batch back
# every 200 messages.
CLAIMED = Prepared(
    lambda v: (
        OutboxMessage.objects.filter(claimed_by=v.token, state=State.SENDING)
        .select_related("sender")
        .order_by("next_attempt_at", "id")
    )
)


def claim_next(now, claimant: str) -> OutboxMessage | None:
    """Take one due message (the batch of one)."""
    claimed = claim_batch(now, claimant, size=1)
    return claimed[0] if claimed else None


def release(messages: list[OutboxMessage]) -> None:
    """Give claimed messages back unsent (the batch ran out of time), so nothing waits on a lease."""
    claims: dict[str, list[int]] = {}
    for message in messages:
        claims.setdefault(message.claimed_by, []).append(message.pk)
    for token, ids in claims.items():
        OutboxMessage.objects.filter(pk__in=ids, state=State.SENDING, claimed_by=token).update(
            state=State.QUEUED, claimed_until=None, claimed_by="", attempts=F("attempts") - 1
        )


def record_result(message: OutboxMessage, error: SendError | None, now=None) -> bool:
    """Write down how sending went; True when it went out.

    Only a permanent refusal fails a message, or an unexpected error repeated
    MAX_ATTEMPTS times. A server that is down costs no attempt and keeps the
    message's place in line; one that defers this address has it wait longer each time.
    """
    if error is not None and error.outage:
        OutboxMessage.objects.filter(
            pk=message.pk, state=State.SENDING, claimed_by=message.claimed_by
        ).update(
            state=State.QUEUED,
            last_error=error.reason,
            claimed_until=None,
            claimed_by="",
            attempts=F("attempts") - 1,
        )
        return False
    if error is not None:
        now = now or timezone.now()
        give_up = error.permanent or (not error.deferred and message.attempts >= MAX_ATTEMPTS)
        OutboxMessage.objects.filter(
            pk=message.pk, state=State.SENDING, claimed_by=message.claimed_by
        ).update(
            state=State.FAILED if give_up else State.QUEUED,
            last_error=error.reason,
            next_attempt_at=None if give_up else now + backoff(message.attempts),
            claimed_until=None,
            claimed_by="",
        )
        return False
    record_sent([message])
    return True


def record_sent(messages: list[OutboxMessage]) -> None:
    """The server accepted these: mark them sent, in one statement (per claim), each only
    if the claim under which it was sent is still this worker's.

    Committed as soon as the group is in, while the connections go on sending: the
    sooner it is, the fewer accepted messages a crash leaves to be sent again.
    """
    sent_at = timezone.now()
    claims: dict[str, list[int]] = {}
    for message in messages:
        claims.setdefault(message.claimed_by, []).append(message.pk)
    stored = connection.ops.adapt_datetimefield_value(sent_at)  # as the ORM stores it
    # The hottest lines of the worker: plain SQL, a tenth of the ORM's cost, and each
    # statement committed on its own (a compare-and-set needs no transaction around it):
    # one round trip to the database, not three.
    with connection.cursor() as cursor:
        for token, ids in claims.items():
            cursor.execute(
                f"UPDATE {OutboxMessage._meta.db_table} SET state = %s, sent_at = %s, "
                "claimed_until = NULL, last_error = '' WHERE state = %s AND claimed_by = %s "
                f"AND id IN ({', '.join(['%s'] * len(ids))})",
                [State.SENT, stored, State.SENDING, token, *ids],
            )
    for message in messages:
        message.state, message.sent_at = State.SENT, sent_at


def unrecorded(now):
    """Sent messages whose effects were not recorded (sent over a minute ago), oldest first."""
    return OutboxMessage.objects.filter(
        state=State.SENT, recorded_at__isnull=True, sent_at__lt=now - timedelta(minutes=1)
    ).order_by("sent_at", "id")


def reap(pk: int, now) -> bool:
    """Free a claim whose worker died (its lease ran out), so another worker sends it."""
    return bool(
        OutboxMessage.objects.filter(pk=pk, state=State.SENDING, claimed_until__lt=now).update(
            state=State.QUEUED,
            next_attempt_at=now,
            claimed_until=None,
            claimed_by="",
            last_error="The worker sending this stopped; trying again.",
        )
    )
