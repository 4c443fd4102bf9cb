from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.api.crud import Input
from verbind.followthrough import actions
from verbind.followthrough.agenda import agenda_for
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["agenda"])

URGENCY = {0: "overdue", 1: "today", 2: "coming"}


class PersonRef(Schema):
    id: int
    name: str


class ItemOut(Schema):
    key: str
    rule: str
    urgency: str
    why: str
    due_by: datetime
    person: PersonRef
    obligation: dict | None
    repair_id: int | None
    actions: list[str]
    link: str | None = None


@router.get(
    "",
    response=answers(list[ItemOut]),
    summary="What is due for you",
    description="The caller's agenda, most pressing first; `at` shows it as it will stand then.",
)
def agenda(request, at: AwareDatetime | None = None):
    items = agenda_for(request.membership, at or timezone.now())
    return [
        {
            "key": item.key,
            "rule": item.rule,
            "urgency": URGENCY[item.urgency],
            "why": item.why,
            "due_by": item.due_by,
            "person": {"id": item.person.pk, "name": item.person.name},
            "obligation": (
                {"type": item.obligation._meta.model_name, "id": item.obligation.pk}
                if item.obligation is not None
                else None
            ),
            "repair_id": item.repair.pk if item.repair else None,
            "actions": item.actions,
            "link": item.link or None,
        }
        for item in items
    ]


class ActIn(Input):
    until: AwareDatetime | None = Field(None, description="snooze: when it comes back")
    reason: str = Field("", max_length=300, description="snooze: why it can wait")
    note: str = Field("", max_length=2000, description="answered: what was agreed; release: why")


class ActOut(Schema):
    key: str
    action: str
    draft_id: int | None = Field(None, description="draft: the message written, in the outbox")


@router.post(
    "/{key}/{action}",
    response=answers(ActOut, 403, 404, 409, 413),
    summary="Act on an item of your agenda",
    description="`action` is one of the item's `actions`: draft (writes the message, or finds "
    "the one written before), snooze (with until and reason), answered (with a note of what "
    "was agreed), release, kept, done. 404 when the item is not on your agenda now.",
)
@guard(Action.OWN_AGENDA)
def act(
    request,
    key: str = Path(..., max_length=200),
    action: Literal["draft", "snooze", "answered", "release", "kept", "done"] = Path(...),
    payload: ActIn | None = None,
):
    payload = payload or ActIn()
    item = actions.find_item(request.membership, key)
    if item is None:
        raise HttpError(404, "That item is no longer on your agenda.")
    draft_id = None
    if action == "draft":
        draft_id = actions.draft(request.membership, item).pk
    elif action == "snooze":
        if payload.until is None:
            raise ValidationError({"until": ["Say when to be reminded again."]})
        actions.snooze(request.membership, item, payload.until, payload.reason)
    elif action == "answered":
        actions.answered(request.membership, item, payload.note)
    elif action == "release":
        actions.release(request.membership, item, payload.note)
    elif action == "kept":
        actions.kept(request.membership, item)
    else:
        actions.done(request.membership, item)
    return {"key": key, "action": action, "draft_id": draft_id}
