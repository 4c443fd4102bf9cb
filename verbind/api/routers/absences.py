"""The caller's own absences: time away that no calendar shows, with who stands in."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId
from verbind.followthrough import absences as followthrough_absences
from verbind.followthrough import delegation as delegation_of
from verbind.scheduling.models import Absence
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["absences"])


class AbsenceOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    backup_id: int | None = Field(None, description="the backup colleague's user id")
    note: str

    @staticmethod
    def resolve_backup_id(obj) -> int | None:
        return obj.backup.user_id if obj.backup_id else None


class AbsenceIn(Input):
    starts_at: datetime
    ends_at: datetime
    backup_id: UserId | None = Field(None, ge=1, le=2**31 - 1, description="a colleague's user id")
    note: str = Field("", max_length=300)


@router.get(
    "", response=answers(list[AbsenceOut]), summary="Your absences still to come or under way"
)
def list_absences(request):
    return list(
        request.membership.absences.filter(ends_at__gt=timezone.now()).select_related("backup")
    )


@router.post(
    "",
    response=answers({201: AbsenceOut}, 409, 413),
    summary="Add an absence",
    description="Meetings inside it go on your agenda at once; nobody is offered a time then.",
)
@guard(Action.OWN_SETTINGS)
def add_absence(request, payload: AbsenceIn):
    errors = {}
    for name in ("starts_at", "ends_at"):
        if timezone.is_naive(getattr(payload, name)):
            errors[name] = ["Give a time zone, e.g. 2026-12-01T09:00:00+01:00."]
    backup = None
    if payload.backup_id is not None:
        backup = request.membership.colleagues().filter(user_id=payload.backup_id).first()
        if backup is None:
            errors["backup_id"] = [f"There is no other member {payload.backup_id} here."]
    if errors:
        raise ValidationError(errors)
    absence = Absence(
        workspace=request.workspace,
        membership=request.membership,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        backup=backup,
        note=payload.note,
    )
    absence.full_clean()  # the same rules as the web form: the model's own
    absence.save()
    return 201, absence


@router.delete(
    "/{int:absence_id}", response=answers({204: None}, 403, 404, 409), summary="Remove an absence"
)
@guard(Action.OWN_SETTINGS)
def delete_absence(request, absence_id: Id):
    get_object_or_404(request.membership.absences, pk=absence_id).delete()
    return 204, None


class HandedOut(Schema):
    offered: list[int] = Field(description="ids of the messages with new dates (offer-new-dates)")
    handed_over: list[int] = Field(description="ids of the meetings now the backup's (to-backup)")
    left: list[int] = Field(description="ids of the meetings nobody could take over")


@router.post(
    "/offer-new-dates",
    response=answers(HandedOut, 403),
    summary="Offer new dates to everyone you would meet while away",
    description="For each meeting inside an absence: new dates outside it on a private link, "
    "sent at once (a meeting with dates already on offer is left as it is).",
)
@guard(Action.OWN_AGENDA)
def offer_new_dates(request):
    sent = followthrough_absences.offer_new_dates(request.membership, by=request.user)
    return {"offered": [m.pk for m in sent], "handed_over": [], "left": []}


@router.post(
    "/to-backup",
    response=answers(HandedOut, 403),
    summary="Hand the meetings inside your absences to your backup",
    description="Each goes to the absence's backup (or yours from Settings); invites follow. "
    "Meetings nobody stands in for are listed in `left`.",
)
@guard(Action.OWN_AGENDA)
def hand_to_backup(request):
    moved, stuck = followthrough_absences.hand_to_backup(request.membership, by=request.user)
    return {"offered": [], "handed_over": [m.pk for m in moved], "left": [m.pk for m in stuck]}


class HandedItemOut(Schema):
    kind: str = Field(description="appointment, promise, cadence or nudge")
    object_id: int
    label: str


class DelegationOut(Schema):
    id: int
    delegate_id: int = Field(description="the colleague's user id")
    starts_at: datetime
    ends_at: datetime
    handed: list[HandedItemOut]

    @staticmethod
    def resolve_handed(obj) -> list:
        return list(obj.handed.order_by("kind", "id"))


@router.post(
    "/{int:absence_id}/hand-over",
    response=answers({201: DelegationOut}, 403, 404, 409),
    summary="Hand what falls in an absence to its backup (or yours)",
    description="Meetings in it, promises due in it, keep-in-touch rhythms and nudges due "
    "then go to the colleague; when the absence is over, what is still open comes back "
    "and you get a summary by mail.",
)
@guard(Action.OWN_AGENDA)
def hand_over_absence(request, absence_id: Id):
    absence = get_object_or_404(request.membership.absences, pk=absence_id)
    return 201, delegation_of.hand_over(absence, by=request.user)
