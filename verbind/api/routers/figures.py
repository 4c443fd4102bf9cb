"""The figures as data: follow-through per member and for the workspace, over a period."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.api.crud import UserId
from verbind.followthrough.figures import over_period

router = Router(tags=["figures"])


class RepairedOut(Schema):
    repair_id: int
    member_id: int
    person_id: int
    opened_at: datetime
    closed_at: datetime
    minutes: int = Field(description="from the broken obligation to the repair, to the minute")


class FiguresOut(Schema):
    member_id: int | None = Field(description="null: the whole workspace")
    repairs_opened: int
    repairs_closed: int
    silent_drops: int = Field(
        description="repairs whose deadline fell in the period without the other side having "
        "heard from us in time"
    )
    promises_kept: int
    promises_broken: int
    median_minutes_to_repair: float | None
    p90_minutes_to_repair: float | None
    repaired: list[RepairedOut] = Field(description="each repair closed in the period")

    @staticmethod
    def resolve_median_minutes_to_repair(obj):
        return obj.median_minutes

    @staticmethod
    def resolve_p90_minutes_to_repair(obj):
        return obj.p90_minutes


class PeriodOut(Schema):
    since: datetime
    until: datetime
    workspace: FiguresOut
    members: list[FiguresOut] = Field(description="each member with anything in the period")


@router.get(
    "",
    response=answers(PeriodOut),
    summary="Follow-through over a period, per member and for the workspace",
    description="Default: the last 90 days. Repairs count by when they opened or closed "
    "(silent drops by their deadline), promises by when they were due; mistaken clicks "
    "(undone) are left out.",
)
def figures(
    request,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    member_id: UserId | None = None,
):
    until = until or timezone.now()
    since = since or until - timedelta(days=90)
    if since >= until:
        raise ValidationError({"since": ["The period must start before it ends."]})
    if until - since > timedelta(days=3 * 366):
        raise ValidationError({"since": ["Ask for at most three years at a time."]})
    found = over_period(
        request.workspace, since, until, None if member_id is None else [member_id]
    )
    return {"since": since, "until": until, "workspace": found[0], "members": found[1:]}
