from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId, resolve, resolve_member, save, scoped_get
from verbind.api.pagination import Page
from verbind.followthrough.models import Repair, RepairState
from verbind.obligations.models import Outcome, Promise, PromiseKind, PromiseStatus
from verbind.people.models import Person
from verbind.workspaces.permissions import Action, guard, require

router = Router(tags=["promises"])


class PromiseOut(Schema):
    id: int
    what: str
    kind: PromiseKind
    person_id: int
    owner_id: int
    due_at: datetime
    status: PromiseStatus
    outcome: Outcome
    notes: str
    repair_id: int | None = Field(
        None, description="The open repair when it came too late (status broken), else null."
    )

    @staticmethod
    def resolve_status(obj) -> str:
        # Past its time it is broken, also in the seconds before the worker opens its repair.
        if obj.status == PromiseStatus.OPEN and obj.is_overdue:
            return PromiseStatus.BROKEN
        return obj.status

    @staticmethod
    def resolve_outcome(obj) -> str:
        return (
            Outcome.BROKEN if obj.status == PromiseStatus.OPEN and obj.is_overdue else obj.outcome
        )

    @staticmethod
    def resolve_repair_id(obj) -> int | None:
        if obj.status != PromiseStatus.BROKEN:
            return None
        return (
            Repair.objects.filter(lapse__promise=obj, state=RepairState.OPEN)
            .values_list("id", flat=True)
            .first()
        )


class PromiseIn(Input):
    what: str = Field(min_length=1, max_length=300)
    kind: PromiseKind = PromiseKind.OTHER
    person_id: Id
    owner_id: UserId | None = Field(None, description="A member of the workspace; default: you.")
    due_at: AwareDatetime
    notes: str = ""


class PromiseTransitionIn(Input):
    to: PromiseStatus


class RenewIn(Input):
    due_at: AwareDatetime = Field(description="the new time agreed with them, in the future")


@router.get("", response=answers(list[PromiseOut]))
@paginate(Page)
def list_promises(request, person_id: Id | None = None, status: PromiseStatus | None = None):
    promises = Promise.objects.in_workspace(request.workspace)
    if person_id is not None:
        promises = promises.filter(person_id=person_id)
    if status is not None:
        promises = promises.filter(status=status)
    return promises.order_by("due_at", "id")


@router.post("", response=answers({201: PromiseOut}, 409, 413), summary="Add a promise")
@guard(Action.ADD_OBLIGATION)
def create_promise(request, payload: PromiseIn):
    data = payload.dict()
    promise = Promise(
        workspace=request.workspace,
        person=resolve(request, Person, data.pop("person_id"), "person_id"),
        owner=resolve_member(request, data.pop("owner_id")),
        changed_by=request.user,
    )
    return 201, save(promise, **data)


@router.get("/{int:promise_id}", response=answers(PromiseOut, 404))
def get_promise(request, promise_id: Id):
    return scoped_get(request, Promise, promise_id)


@router.post(
    "/{int:promise_id}/transition",
    response=answers(PromiseOut, 404, 409, 413),
    summary="Mark a promise kept, released (by agreement) or broken",
)
@guard(Action.CHANGE_OBLIGATION)
def transition_promise(request, promise_id: Id, payload: PromiseTransitionIn):
    promise = scoped_get(request, Promise, promise_id)
    require(request.membership, Action.CHANGE_OBLIGATION, promise)
    promise.transition(payload.to, by=request.user)
    return promise


@router.post(
    "/{int:promise_id}/renew",
    response=answers(PromiseOut, 404, 409, 413),
    summary="Agree a new time (also for a promise that came too late: it is open again)",
)
@guard(Action.CHANGE_OBLIGATION)
def renew_promise(request, promise_id: Id, payload: RenewIn):
    promise = scoped_get(request, Promise, promise_id)
    require(request.membership, Action.CHANGE_OBLIGATION, promise)
    promise.renew(payload.due_at, by=request.user)
    return promise


@router.delete("/{int:promise_id}", response=answers({204: None}, 403, 404, 409))
@guard(Action.DELETE_OBLIGATION)
def delete_promise(request, promise_id: Id):
    promise = scoped_get(request, Promise, promise_id)
    require(request.membership, Action.DELETE_OBLIGATION, promise)
    promise.delete()
    return 204, None
