from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId, resolve, scoped_get
from verbind.api.pagination import Page
from verbind.obligations.models import Appointment
from verbind.people.models import Person
from verbind.scheduling.models import Proposal, ProposalState
from verbind.scheduling.proposals import link, offer, withdraw
from verbind.workspaces.models import Membership
from verbind.workspaces.permissions import Action, guard, require

router = Router(tags=["proposals"])


class SlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class ProposalOut(Schema):
    id: int
    person_id: int
    host_id: int = Field(description="the host's user id")
    co_host_id: int | None = Field(None, description="the co-host's user id")
    title: str
    place: str
    duration_minutes: int
    state: ProposalState
    expires_at: datetime
    replaces_id: int | None
    booked_id: int | None
    answer_note: str
    slots: list[SlotOut]

    @staticmethod
    def resolve_host_id(obj) -> int:
        return obj.host.user_id

    @staticmethod
    def resolve_co_host_id(obj) -> int | None:
        return obj.co_host.user_id if obj.co_host_id else None

    @staticmethod
    def resolve_slots(obj) -> list:
        return list(obj.slots.all())


class NewProposalOut(ProposalOut):
    link: str = Field(description="The private link for the person. Shown only in this answer.")


class ProposalIn(Input):
    person_id: Id = Field(ge=1, le=2**31 - 1)
    count: int = Field(3, ge=1, le=10, description="how many times to offer")
    within_days: int = Field(14, ge=1, le=365, description="look this many days ahead")
    duration_minutes: int = Field(60, ge=5, le=480)
    title: str = Field("", max_length=200, description="default: Meeting with NAME")
    place: str = Field("", max_length=300)
    co_host_id: UserId | None = Field(
        None, ge=1, le=2**31 - 1, description="user id of a colleague who joins"
    )
    replaces_id: Id | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="the appointment that failed or was cancelled, if this replaces it",
    )


@router.post(
    "",
    response=answers({201: NewProposalOut}, 409, 413),
    summary="Offer a person free times to pick from a private link",
    description="Finds free times in your working week and calendars (and the co-host's), "
    "holds them, and returns the link to send. 409 when there is no free time in the window.",
)
@guard(Action.OFFER_TIMES)
def create_proposal(request, payload: ProposalIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    replaces = resolve(request, Appointment, payload.replaces_id, "replaces_id")
    co_host = None
    if payload.co_host_id is not None:
        co_host = Membership.objects.filter(
            workspace=request.workspace, user_id=payload.co_host_id, user__is_active=True
        ).first()
        if co_host is None:
            raise ValidationError(
                {"co_host_id": [f"There is no member {payload.co_host_id} in this workspace."]}
            )
    proposal, raw = offer(
        request.membership,
        person,
        count=payload.count,
        within=timedelta(days=payload.within_days),
        duration=timedelta(minutes=payload.duration_minutes),
        title=payload.title,
        place=payload.place,
        co_host=co_host,
        replaces=replaces,
    )
    proposal.link = link(raw)
    return 201, proposal


@router.get("", response=answers(list[ProposalOut]), summary="Offers made in this workspace")
@paginate(Page)
def list_proposals(
    request,
    person_id: int | None = Query(None, ge=1, le=2**31 - 1),
    state: ProposalState | None = None,
):
    found = (
        Proposal.objects.in_workspace(request.workspace)
        .select_related("host", "co_host")
        .prefetch_related("slots")
        .order_by("-created_at", "-id")
    )
    if person_id is not None:
        found = found.filter(person_id=person_id)
    if state is not None:
        found = found.filter(state=state)
    return found


@router.get("/{int:proposal_id}", response=answers(ProposalOut, 404))
def get_proposal(request, proposal_id: Id):
    return scoped_get(request, Proposal, proposal_id)


@router.post(
    "/{int:proposal_id}/withdraw",
    response=answers(ProposalOut, 404, 409, 413),
    summary="Take an offer back; its times are free again",
)
@guard(Action.WITHDRAW_OFFER)
def withdraw_proposal(request, proposal_id: Id):
    proposal = scoped_get(request, Proposal, proposal_id)
    require(request.membership, Action.WITHDRAW_OFFER, proposal)
    withdraw(proposal)
    return proposal
