from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import AwareDatetime

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve, save, scoped_get
from verbind.api.pagination import Page
from verbind.people import entries
from verbind.people.models import Channel, Direction, Interaction, InteractionKind, Person
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["interactions"])


class InteractionOut(Schema):
    id: int
    person_id: int
    member_id: int | None
    kind: InteractionKind
    direction: Direction
    channel: Channel | None
    occurred_at: datetime
    notes: str

    @staticmethod
    def resolve_channel(obj) -> str | None:
        return obj.channel or None


class InteractionIn(Input):
    person_id: Id
    kind: InteractionKind
    direction: Direction = Direction.MUTUAL
    channel: Channel | None = None
    occurred_at: AwareDatetime | None = None
    notes: str = ""


@router.get("", response=answers(list[InteractionOut], 403))
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_interactions(request, person_id: Id | None = None):
    interactions = Interaction.objects.in_workspace(request.workspace)
    if person_id is not None:
        interactions = interactions.filter(person_id=person_id)
    return interactions.order_by("-occurred_at", "-id")


@router.post("", response=answers({201: InteractionOut}, 409, 413), summary="Log an interaction")
@guard(Action.LOG_ENTRY)
def create_interaction(request, payload: InteractionIn):
    data = payload.dict()
    interaction = Interaction(
        workspace=request.workspace,
        member=request.user,
        person=resolve(request, Person, data.pop("person_id"), "person_id"),
    )
    data["channel"] = data["channel"] or ""
    data["occurred_at"] = data["occurred_at"] or timezone.now()
    return 201, save(interaction, **data)


@router.get("/{int:interaction_id}", response=answers(InteractionOut, 403, 404))
@guard(Action.READ_TIMELINES)
def get_interaction(request, interaction_id: Id):
    return scoped_get(request, Interaction, interaction_id)


class InteractionPatch(Input):
    kind: InteractionKind | None = None
    direction: Direction | None = None
    channel: Channel | None = None
    occurred_at: AwareDatetime | None = None
    notes: str | None = None


@router.patch(
    "/{int:interaction_id}",
    response=answers(InteractionOut, 404, 409, 413),
    summary="Correct an entry (who logged it, or a manager); the old text is kept on record",
)
@guard(Action.EDIT_ENTRY)
def edit_interaction(request, interaction_id: Id, payload: InteractionPatch):
    interaction = scoped_get(request, Interaction, interaction_id)
    changes = payload.dict(exclude_unset=True)
    if "channel" in changes:
        changes["channel"] = changes["channel"] or ""  # null: no channel
    changes = {name: value for name, value in changes.items() if value is not None}
    return entries.edit(interaction, request.membership, **changes)


@router.delete(
    "/{int:interaction_id}",
    response=answers({204: None}, 403, 404, 409),
    summary="Remove an entry (who logged it, or a manager); the record keeps what it said",
)
@guard(Action.DELETE_ENTRY)
def delete_interaction(request, interaction_id: Id):
    entries.delete(scoped_get(request, Interaction, interaction_id), request.membership)
    return 204, None
