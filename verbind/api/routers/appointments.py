from datetime import datetime

from django.db import transaction
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime, model_validator

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId, resolve, resolve_member, save, scoped_get
from verbind.api.pagination import Page
from verbind.obligations.models import Appointment, AppointmentStatus, Outcome
from verbind.people.models import Person
from verbind.workspaces.permissions import Action, guard, require

router = Router(tags=["appointments"])


class AppointmentOut(Schema):
    id: int
    title: str
    person_id: int
    participant_ids: list[int]
    host_id: int = Field(alias="owner_id")
    starts_at: datetime
    ends_at: datetime
    place: str
    status: AppointmentStatus
    outcome: Outcome
    successor_id: int | None
    notes: str
    allowed_next: list[AppointmentStatus]

    @staticmethod
    def resolve_participant_ids(obj) -> list[int]:
        return [p.pk for p in obj.participants.all()]

    @staticmethod
    def resolve_allowed_next(obj) -> list[str]:
        return obj.allowed_next()


class AppointmentIn(Input):
    title: str = Field(min_length=1, max_length=200)
    person_id: Id
    participant_ids: list[Id] = []
    host_id: UserId | None = Field(None, description="A member of the workspace; default: you.")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = ""
    status: AppointmentStatus = Field(
        AppointmentStatus.CONFIRMED, description="proposed or confirmed"
    )
    notes: str = ""

    @model_validator(mode="after")
    def starts_as_proposed_or_confirmed(self):
        if self.status not in (AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED):
            raise ValueError("a new appointment is proposed or confirmed; use /transition after")
        return self


class AppointmentTransitionIn(Input):
    to: AppointmentStatus


class RescheduleIn(Input):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


@router.get("", response=answers(list[AppointmentOut]))
@paginate(Page)
def list_appointments(
    request,
    person_id: Id | None = None,
    status: AppointmentStatus | None = None,
    starts_after: AwareDatetime | None = None,
    starts_before: AwareDatetime | None = None,
):
    appointments = Appointment.objects.in_workspace(request.workspace).prefetch_related(
        "participants"
    )
    if person_id is not None:
        appointments = appointments.filter(person_id=person_id)
    if status is not None:
        appointments = appointments.filter(status=status)
    if starts_after is not None:
        appointments = appointments.filter(starts_at__gte=starts_after)
    if starts_before is not None:
        appointments = appointments.filter(starts_at__lt=starts_before)
    return appointments.order_by("starts_at", "id")


@router.post("", response=answers({201: AppointmentOut}, 409, 413), summary="Add an appointment")
@guard(Action.ADD_OBLIGATION)
@transaction.atomic
def create_appointment(request, payload: AppointmentIn):
    data = payload.dict()
    participants = [
        resolve(request, Person, pk, "participant_ids") for pk in data.pop("participant_ids")
    ]
    appointment = Appointment(
        workspace=request.workspace,
        person=resolve(request, Person, data.pop("person_id"), "person_id"),
        owner=resolve_member(request, data.pop("host_id"), "host_id"),
        changed_by=request.user,
    )
    save(appointment, **data)
    appointment.participants.set(participants)
    return 201, appointment


@router.get("/{int:appointment_id}", response=answers(AppointmentOut, 404))
def get_appointment(request, appointment_id: Id):
    return scoped_get(request, Appointment, appointment_id)


@router.post(
    "/{int:appointment_id}/transition",
    response=answers(AppointmentOut, 404, 409, 413),
    summary="Move an appointment to its next state",
    description="held, cancelled_by_us, cancelled_by_them, missed_by_us, missed_by_them, … "
    "A change the lifecycle does not allow answers 409 with the reason.",
)
@guard((Action.RECORD_MEETING, Action.CHANGE_OBLIGATION))
def transition_appointment(request, appointment_id: Id, payload: AppointmentTransitionIn):
    appointment = scoped_get(request, Appointment, appointment_id)
    require(request.membership, appointment.action_for(payload.to), appointment)
    appointment.transition(payload.to, by=request.user)
    return appointment


@router.post(
    "/{int:appointment_id}/undo",
    response=answers(AppointmentOut, 404, 409, 413),
    summary="Take back the last change (a mistaken click), within 10 minutes, by whoever made it",
    description="The meeting returns to its state before; a repair the change opened closes "
    "as undone (the lapse stays on record). 409 when it can no longer be undone.",
)
@guard(Action.UNDO)
def undo_appointment(request, appointment_id: Id):
    appointment = scoped_get(request, Appointment, appointment_id)
    appointment.undo(by=request.user)
    return appointment


@router.post(
    "/{int:appointment_id}/reschedule",
    response=answers({201: AppointmentOut}, 404, 409, 413),
    summary="Agree a new time; returns the new appointment",
)
@guard(Action.CHANGE_OBLIGATION)
def reschedule_appointment(request, appointment_id: Id, payload: RescheduleIn):
    appointment = scoped_get(request, Appointment, appointment_id)
    require(request.membership, Action.CHANGE_OBLIGATION, appointment)
    return 201, appointment.reschedule(payload.starts_at, payload.ends_at, by=request.user)


@router.delete("/{int:appointment_id}", response=answers({204: None}, 403, 404, 409))
@guard(Action.DELETE_OBLIGATION)
def delete_appointment(request, appointment_id: Id):
    appointment = scoped_get(request, Appointment, appointment_id)
    require(request.membership, Action.DELETE_OBLIGATION, appointment)
    appointment.delete()
    return 204, None
