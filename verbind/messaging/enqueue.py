"""The one way a message enters the outbox.

Drafts, invites, escalations, digests and mails to members all come through
``enqueue``: written once per idempotency key (see ``keys``), so asking again —
from a second click, a second worker or a retried pass — finds the row already there.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from verbind.lib.prepared import Prepared
from verbind.messaging.channels import email
from verbind.messaging.models import Channel, OutboxMessage, State
from verbind.messaging.nextstep import NextStep

# What happens to a new row: the member edits it first, or it goes out.
DRAFT = "draft"
SEND = "send"


# Asked for every message written (the worker's escalations and digests): prepared once.
EXISTING = Prepared(
    lambda v: OutboxMessage.objects.filter(idempotency_key=v.key).order_by("pk")[:1]
)


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MESSAGE_ID_DOMAIN}>"


def enqueue(
    key: str,
    *,
    workspace_id: int,
    purpose: str,
    language: str,
    to_address: str,
    subject: str,
    body: str,
    then: str = SEND,
    channel: str = Channel.EMAIL,
    person=None,
    member=None,
    sender=None,
    repair=None,
    appointment=None,
    promise=None,
    has_apology: bool = False,
    next_step: NextStep | None = None,
    calendar: str = "",
) -> tuple[OutboxMessage, bool]:
    """The message for *key*, written now unless it exists; returns it and whether it is new.

    ``then=SEND``: e-mail is queued for the worker when there is a mail server,
    anything else waits, ready for the member to send. ``then=DRAFT``: a draft.
    """
    existing = EXISTING.run(key=key)
    if existing:
        return existing[0], False
    if then == DRAFT:
        state = State.DRAFT
    elif channel == Channel.EMAIL and email.configured():
        state = State.QUEUED
    else:
        state = State.READY
    row = OutboxMessage(
        idempotency_key=key,
        workspace_id=workspace_id,
        purpose=purpose,
        channel=channel,
        state=state,
        person=person,
        member=member,
        sender=sender,
        repair=repair,
        appointment=appointment,
        promise=promise,
        language=language,
        to_address=to_address,
        subject=subject,
        body=body,
        has_apology=has_apology,
        next_step=next_step or NextStep(),
        calendar=calendar,
        message_id=new_message_id(),
        next_attempt_at=timezone.now() if state == State.QUEUED else None,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:  # written by another process a moment ago
        return OutboxMessage.objects.get(idempotency_key=key), False
    return row, True


def mail_member(key: str, workspace_id: int, member, purpose: str, language: str, subject: str,
                body: str, **about) -> OutboxMessage | None:
    """A mail to a colleague (digest, escalation, absence warning): only with a mail server."""
    if not (email.configured() and member.email):
        return None
    message, _new = enqueue(
        key,
        workspace_id=workspace_id,
        purpose=purpose,
        language=language,
        to_address=member.email,
        subject=subject,
        body=body,
        member=member,
        **about,
    )
    return message
