"""The front desk: today's visits with each host's situation, check-in and check-out, the host's
answer, hand-over and a failed visit. A reception token can do this and read nothing more."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, scoped_get
from verbind.desk import privacy
from verbind.desk import visits as desk
from verbind.desk.models import Answer, DeskSettings, Visit
from verbind.desk.visits import NotHere
from verbind.obligations.models import Appointment
from verbind.people.models import Person
from verbind.workspaces.models import Membership
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["desk"])


class HostSituationOut(Schema):
    kind: str = Field(description="in, meeting or away")
    text: str
    until: datetime | None = None
    backup_id: int | None = Field(None, description="the backup colleague's user id, when away")


class DeskVisitOut(Schema):
    visitor: str
    expected_at: datetime
    state: str = Field(
        description="expected, waiting, received, cannot, handed_over, failed or gone"
    )
    appointment_id: int | None
    visit_id: int | None
    host_id: int | None
    host: str
    situation: HostSituationOut | None
    answer: str


def _line(line) -> dict:
    where = line.situation
    return {
        "visitor": line.visitor,
        "expected_at": line.expected_at,
        "state": line.state,
        "appointment_id": line.appointment.pk if line.appointment else None,
        "visit_id": line.visit.pk if line.visit else None,
        "host_id": line.host.user_id if line.host else None,
        "host": line.host.display_name if line.host else "",
        "situation": None
        if where is None
        else {
            "kind": where.kind,
            "text": where.text,
            "until": where.until,
            "backup_id": where.backup.user_id if where.backup else None,
        },
        "answer": line.visit.answer if line.visit else "",
    }


class VisitOut(Schema):
    id: int
    visitor: str = Field(alias="visitor_name")
    appointment_id: int | None
    host_id: int | None
    checked_in_at: datetime | None
    answer: str
    answered_at: datetime | None
    handed_to_id: int | None
    failed_at: datetime | None
    checked_out_at: datetime | None


class WalkInIn(Input):
    name: str = Field("", max_length=200)
    person_id: int | None = Field(None, ge=1, le=2**31 - 1)
    host_id: int = Field(ge=1, le=2**31 - 1, description="the host's user id")
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)


class AnswerIn(Input):
    answer: Answer


class HandOverIn(Input):
    to_id: int = Field(ge=1, le=2**31 - 1, description="the colleague's user id")


class FailedIn(Input):
    note_to_visitor: bool = Field(
        False, description="the visitor agreed to a short note by e-mail now"
    )


class FailedOut(Schema):
    visit: VisitOut
    repair_id: int | None
    repair_owner_id: int | None


def _member(request, user_id: int) -> Membership:
    found = Membership.objects.filter(workspace=request.workspace, user_id=user_id).first()
    if found is None:
        raise NotHere("No member with that id in this workspace.", "not_found")
    return found


@router.get("/visits", response=answers(list[DeskVisitOut]), summary="The visits of a day")
def list_visits(request, day: date | None = None):
    zone = request.membership.zone
    lines = desk.expected(request.workspace, day, timezone.now(), zone)
    return [_line(line) for line in lines]


@router.post(
    "/appointments/{appointment_id}/check-in",
    response=answers({201: VisitOut}, 404, 409, 413),
    summary="Check in the visitor of an appointment",
    description="The host is told at once. Two check-ins of one visitor make one; the second "
    "is refused with 409.",
)
@guard(Action.DESK)
def check_in(request, appointment_id: Id):
    meeting = scoped_get(request, Appointment, appointment_id)
    return 201, desk.check_in(meeting, request.user)


@router.post(
    "/walk-ins",
    response=answers({201: VisitOut}, 404, 409, 413),
    summary="Check in someone without an appointment",
)
@guard(Action.DESK)
def walk_in(request, payload: WalkInIn):
    host = _member(request, payload.host_id)
    person = scoped_get(request, Person, payload.person_id) if payload.person_id else None
    visit = desk.walk_in(
        request.workspace,
        host,
        request.user,
        name=payload.name,
        person=person,
        phone=payload.phone,
        email=payload.email,
    )
    return 201, visit


@router.post(
    "/visits/{visit_id}/answer",
    response=answers(VisitOut, 404, 409, 413),
    summary="The host's answer",
)
@guard(Action.ANSWER_VISIT)
def answer(request, visit_id: Id, payload: AnswerIn):
    visit = scoped_get(request, Visit, visit_id)
    return desk.answer(visit, payload.answer, request.user)


@router.post(
    "/visits/{visit_id}/hand-over",
    response=answers(VisitOut, 404, 409, 413),
    summary="Hand the visitor to a colleague",
)
@guard(Action.DESK)
def hand_over(request, visit_id: Id, payload: HandOverIn):
    visit = scoped_get(request, Visit, visit_id)
    return desk.hand_over(visit, _member(request, payload.to_id), request.user)


@router.post(
    "/visits/{visit_id}/failed",
    response=answers(FailedOut, 404, 409, 413),
    summary="Nobody could receive them: the visit failed on our side",
    description="The appointment becomes missed by us; the repair is the host's (or their "
    "backup's while the host is away), due within a day.",
)
@guard(Action.DESK)
def failed(request, visit_id: Id, payload: FailedIn):
    visit = scoped_get(request, Visit, visit_id)
    repair = desk.fail(visit, request.user, note_to_visitor=payload.note_to_visitor)
    return {
        "visit": visit,
        "repair_id": repair.pk if repair else None,
        "repair_owner_id": repair.owner_id if repair else None,
    }


@router.post(
    "/visits/{visit_id}/check-out",
    response=answers(VisitOut, 404, 409, 413),
    summary="Check the visitor out",
)
@guard(Action.DESK)
def check_out(request, visit_id: Id):
    visit = scoped_get(request, Visit, visit_id)
    return desk.check_out(visit, request.user)


class DeskSettingsOut(Schema):
    answer_minutes: int = Field(description="a host answers within this; then the backup is asked")
    keep_days: int = Field(description="walk-ins who are not contacts are kept this long")

    @staticmethod
    def resolve_answer_minutes(obj) -> int:
        return int(obj.answer_within.total_seconds() // 60)

    @staticmethod
    def resolve_keep_days(obj) -> int:
        return obj.keep_walk_ins.days


class DeskSettingsIn(Input):
    answer_minutes: int = Field(ge=1, le=60)
    keep_days: int = Field(ge=1, le=3650)


class KeptEventOut(Schema):
    at: datetime
    what: str
    note: str


class KeptVisitOut(Schema):
    visitor: str
    phone: str
    email: str
    a_contact: bool
    expected_at: datetime
    host: str
    happened: list[KeptEventOut]
    kept_until: datetime | None = Field(description="null: a contact's visit, on their timeline")


class VisitorDataOut(Schema):
    asked: str
    asked_at: datetime
    visits: list[KeptVisitOut]
    kept: str = Field(description="how long the desk keeps what, in words")


@router.get("/settings", response=answers(DeskSettingsOut), summary="How the desk works")
def get_desk_settings(request):
    return DeskSettings.of(request.workspace)


@router.patch(
    "/settings",
    response=answers(DeskSettingsOut, 403, 413),
    summary="Change how long a host may take to answer, and how long walk-ins are kept",
)
@guard(Action.WORKSPACE_SETTINGS)
def change_desk_settings(request, payload: DeskSettingsIn):
    return privacy.change_settings(request.workspace, payload.answer_minutes, payload.keep_days)


@router.get(
    "/visitor-data",
    response=answers(VisitorDataOut, 403),
    summary="What the desk keeps about a visitor who asks (by name, e-mail or phone)",
)
@guard(Action.EXPORT)
def visitor_data(request, q: str = Query(..., min_length=2, max_length=200)):
    return privacy.kept_about(request.workspace, q)
