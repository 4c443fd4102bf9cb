from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.followthrough.agenda import agenda_for

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
