"""The outbox through the API: read a draft, change it, send it, mark it sent, or discard it —
the same steps (and the same checks) as the message page."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, scoped_get
from verbind.api.pagination import Page
from verbind.messaging import outbox
from verbind.messaging.links import links_for
from verbind.messaging.models import Channel, OutboxMessage, Purpose, State
from verbind.workspaces.permissions import Action, allows, guard, require

router = Router(tags=["outbox"])


class MessageOut(Schema):
    id: int
    purpose: Purpose
    channel: Channel
    state: State
    person_id: int | None
    sender_id: int | None = Field(description="the member it is sent in the name of")
    language: str
    to_address: str
    subject: str
    body: str
    proposed_times: list[datetime] = Field(description="the times the next step offers")
    new_due: datetime | None = Field(description="the new promised time it names")
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    links: dict[str, str] = Field(
        description="to send it yourself: email (mailto:), whatsapp and phone (tel:) links"
    )

    @staticmethod
    def resolve_proposed_times(obj) -> list:
        return list(obj.next_step.times)

    @staticmethod
    def resolve_new_due(obj):
        return obj.next_step.due_at

    @staticmethod
    def resolve_links(obj, context) -> dict:
        request = context["request"]
        if not allows(request.membership, Action.SEND_MESSAGE, obj):
            return {}
        return links_for(obj)


class MessagePatch(Input):
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=20_000)
    channel: Channel | None = None
    proposed_times: list[AwareDatetime] | None = Field(
        None, max_length=3, description="up to three times to offer instead (a draft with times)"
    )
    new_due: AwareDatetime | None = Field(
        None, description="a new promised time (a draft that renews a promise)"
    )


@router.get("", response=answers(list[MessageOut]), summary="The outbox, newest first")
@paginate(Page)
def list_messages(request, show: Literal["", "waiting", "on_its_way", "sent", "cancelled"] = ""):
    return outbox.listing(request.workspace, show, request.membership)


@router.get("/{int:message_id}", response=answers(MessageOut, 404))
def get_message(request, message_id: Id):
    return _readable(request, message_id)


def _readable(request, message_id: int) -> OutboxMessage:
    message = scoped_get(request, OutboxMessage, message_id)
    if not message.readable_by(request.membership):  # an invitation: only who sent it
        raise Http404
    return message


def _own(request, message_id: int, action: Action) -> OutboxMessage:
    message = _readable(request, message_id)
    require(request.membership, action, message)
    return message


@router.patch(
    "/{int:message_id}",
    response=answers(MessageOut, 403, 404, 409, 413),
    summary="Change a draft",
    description="Only a draft can change (409 otherwise). New proposed times or a new "
    "promised time rewrite the next-step lines of its text, as on the message page.",
)
@guard(Action.SEND_MESSAGE)
def change_message(request, message_id: Id, payload: MessagePatch):
    message = _own(request, message_id, Action.SEND_MESSAGE)
    data = payload.dict(exclude_unset=True)
    times = data.get("proposed_times")
    if times is None:  # kept as they are, unless a new promised time takes their place
        times = [] if data.get("new_due") else list(message.next_step.times)
    new_due = data.get("new_due", message.next_step.due_at)
    return outbox.revise(
        message,
        subject=data.get("subject") if data.get("subject") is not None else message.subject,
        body=data.get("body") or message.body,
        channel=data.get("channel") or message.channel,
        times=times,
        new_due=new_due,
        zone=request.membership.zone,
    )


@router.post(
    "/{int:message_id}/send",
    response=answers(MessageOut, 403, 404, 409),
    summary="Send a draft",
    description="E-mail goes out through the worker (state queued); WhatsApp or a call "
    "waits for you (state ready, with `links`). Honours an `Idempotency-Key` header.",
)
@guard(Action.SEND_MESSAGE)
def send_message(request, message_id: Id):
    message = _own(request, message_id, Action.SEND_MESSAGE)
    outbox.send(message, by=request.user)
    message.refresh_from_db()
    return message


@router.post(
    "/{int:message_id}/sent",
    response=answers(MessageOut, 403, 404, 409),
    summary="Mark it sent: you sent it yourself",
    description="Recorded like the worker's sending: on the person's timeline, and progress "
    "on its repair.",
)
@guard(Action.SEND_MESSAGE)
def mark_message_sent(request, message_id: Id):
    message = _own(request, message_id, Action.SEND_MESSAGE)
    outbox.mark_sent(message, by=request.user)
    message.refresh_from_db()
    return message


@router.post(
    "/{int:message_id}/retry",
    response=answers(MessageOut, 403, 404, 409),
    summary="Try a failed e-mail again",
    description="A message the mail server refused for good (state failed, its answer in "
    "`last_error`) goes back in line with a fresh set of attempts, as with Try again on the "
    "message page; 409 for one that did not fail, or without a mail server.",
)
@guard(Action.SEND_MESSAGE)
def retry_message(request, message_id: Id):
    message = _own(request, message_id, Action.SEND_MESSAGE)
    outbox.retry(message)
    message.refresh_from_db()
    return message


@router.post(
    "/{int:message_id}/cancel",
    response=answers(MessageOut, 403, 404, 409),
    summary="Discard a message that has not gone out",
)
@guard(Action.CANCEL_MESSAGE)
def cancel_message(request, message_id: Id):
    message = _own(request, message_id, Action.CANCEL_MESSAGE)
    outbox.cancel(message)
    message.refresh_from_db()
    return message
