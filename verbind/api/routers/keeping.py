"""Keeping in touch: cadences, patient nudges, events and relationship health."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve, scoped_get
from verbind.api.pagination import Page
from verbind.cadences import cadence as cadences
from verbind.cadences import events, nudges
from verbind.cadences.health import organisation_health, person_health
from verbind.cadences.models import Cadence, CadenceSettings, Event, Nudge, NudgeState
from verbind.people.models import Organisation, Person, Tag
from verbind.workspaces.permissions import Action, guard, require

router = Router(tags=["keeping in touch"])


class CadenceOut(Schema):
    id: int
    person_id: int | None = Field(description="one person's cadence; null for a tag's")
    tag: str | None = Field(description="the tag whose people it is for; null for one person")
    every_weeks: int
    last_touch_at: datetime | None
    due_at: datetime | None = Field(description="when the next touch is due (a person's only)")
    from_tag: str | None = Field(None, description="the tag this person's cadence came from")

    @staticmethod
    def resolve_tag(obj) -> str | None:
        return obj.tag.name if obj.tag_id else None

    @staticmethod
    def resolve_from_tag(obj) -> str | None:
        return obj.group.tag.name if obj.group_id else None


class CadenceIn(Input):
    person_id: Id | None = Field(None, description="keep in touch with this person…")
    tag: str | None = Field(None, max_length=60, description="…or with everyone carrying this tag")
    every_weeks: int = Field(ge=1, le=104)


@router.get("/cadences", response=answers(list[CadenceOut], 403))
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_cadences(request, person_id: Id | None = None, due_before: datetime | None = None):
    rows = Cadence.objects.in_workspace(request.workspace).select_related("tag", "group__tag")
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if due_before is not None:
        rows = rows.filter(due_at__lt=due_before)
    return rows.order_by("due_at", "id")


@router.post(
    "/cadences", response=answers({201: CadenceOut}, 413), summary="Keep in touch every N weeks"
)
@guard(Action.KEEP_IN_TOUCH)
def set_cadence(request, payload: CadenceIn):
    if (payload.person_id is None) == (payload.tag is None):
        raise ValidationError({"person_id": ["Give either person_id or tag, not both."]})
    if payload.person_id is not None:
        person = resolve(request, Person, payload.person_id, "person_id")
        return 201, cadences.for_person(request.user, person, payload.every_weeks)
    return 201, cadences.for_tag(request.user, request.workspace, payload.tag, payload.every_weeks)


@router.get("/cadences/{int:cadence_id}", response=answers(CadenceOut, 403, 404))
@guard(Action.READ_TIMELINES)
def get_cadence(request, cadence_id: Id):
    return scoped_get(request, Cadence, cadence_id)


@router.delete("/cadences/{int:cadence_id}", response=answers({204: None}, 403, 404))
@guard(Action.CHANGE_KEEPING)
def delete_cadence(request, cadence_id: Id):
    cadence = scoped_get(request, Cadence, cadence_id)
    require(request.membership, Action.CHANGE_KEEPING, cadence)
    cadences.stop(cadence)
    return 204, None


class TagIn(Input):
    person_id: Id
    tag: str = Field(min_length=1, max_length=60)


class TagsOut(Schema):
    person_id: int
    tags: list[str]


@router.post(
    "/tags",
    response=answers(TagsOut, 413),
    summary="Tag a person (and give them the tag's cadence)",
)
@guard(Action.KEEP_IN_TOUCH)
def tag_person(request, payload: TagIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    cadences.tag_person(person, payload.tag)
    return {"person_id": person.pk, "tags": [t.name for t in person.tags.all()]}


@router.post(
    "/tags/remove",
    response=answers(TagsOut, 403, 413),
    summary="Take a tag off a person (and the tag's cadence with it)",
)
@guard(Action.KEEP_IN_TOUCH)
def untag_person(request, payload: TagIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    tag = Tag.objects.in_workspace(request.workspace).filter(name__iexact=payload.tag).first()
    if tag is not None:
        cadences.untag_person(person, tag)
    return {"person_id": person.pk, "tags": [t.name for t in person.tags.all()]}


class KeepingSettingsOut(Schema):
    send_nudges_by_itself: bool = Field(
        description="true: a nudge's steps go out by themselves; false: each waits as a draft"
    )


class KeepingSettingsIn(Input):
    send_nudges_by_itself: bool


@router.get("/keeping/settings", response=answers(KeepingSettingsOut))
def keeping_settings(request):
    return CadenceSettings.of(request.workspace)


@router.patch(
    "/keeping/settings",
    response=answers(KeepingSettingsOut, 403, 413),
    summary="May Verbind send a nudge's steps by itself? (owners and managers)",
)
@guard(Action.WORKSPACE_SETTINGS)
def change_keeping_settings(request, payload: KeepingSettingsIn):
    found = CadenceSettings.of(request.workspace)
    found.send_nudges_by_itself = payload.send_nudges_by_itself
    found.save()
    return found


class NudgeOut(Schema):
    id: int
    person_id: int
    owner_id: int
    about: str
    intervals: list[int] = Field(description="weeks before each step")
    cap: int
    state: NudgeState
    steps_sent: int
    started_at: datetime
    next_at: datetime | None = Field(description="when the next step (or your decision) is due")
    answered_at: datetime | None
    answered_how: str


class NudgeIn(Input):
    person_id: Id
    about: str = Field(min_length=1, max_length=300, description="the decision that waits")
    intervals: list[Annotated[int, Field(ge=1, le=104)]] | None = Field(
        None, max_length=10, description="weeks between steps (default 2, 4, 8)"
    )
    cap: int | None = Field(None, ge=1, le=10, description="at most this many steps (default 3)")


class ClosedOut(Schema):
    nudge: NudgeOut
    draft_id: int = Field(description="the kind last word, a draft in the outbox")


@router.get("/nudges", response=answers(list[NudgeOut], 403))
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_nudges(request, person_id: Id | None = None, state: NudgeState | None = None):
    rows = Nudge.objects.in_workspace(request.workspace)
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if state is not None:
        rows = rows.filter(state=state)
    return rows.order_by("-started_at", "-id")


@router.post(
    "/nudges", response=answers({201: NudgeOut}, 409, 413), summary="Wait patiently for a decision"
)
@guard(Action.KEEP_IN_TOUCH)
def start_nudge(request, payload: NudgeIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    return 201, nudges.start(
        request.user, person, payload.about, intervals=payload.intervals, cap=payload.cap
    )


@router.get("/nudges/{int:nudge_id}", response=answers(NudgeOut, 403, 404))
@guard(Action.READ_TIMELINES)
def get_nudge(request, nudge_id: Id):
    return scoped_get(request, Nudge, nudge_id)


@router.post(
    "/nudges/{int:nudge_id}/wait-longer",
    response=answers(NudgeOut, 403, 404, 409),
    summary="After the last step: wait longer, one more step later",
)
@guard(Action.CHANGE_KEEPING)
def wait_longer(request, nudge_id: Id):
    nudge = scoped_get(request, Nudge, nudge_id)
    require(request.membership, Action.CHANGE_KEEPING, nudge)
    return nudges.wait_longer(nudge)


@router.post(
    "/nudges/{int:nudge_id}/close",
    response=answers(ClosedOut, 403, 404, 409),
    summary="Close it kindly: a last friendly word as a draft",
)
@guard(Action.CHANGE_KEEPING)
def close_nudge(request, nudge_id: Id):
    nudge = scoped_get(request, Nudge, nudge_id)
    require(request.membership, Action.CHANGE_KEEPING, nudge)
    draft = nudges.close_kindly(nudge, request.user)
    nudge.refresh_from_db()
    return {"nudge": nudge, "draft_id": draft.pk}


class MetOut(Schema):
    person_id: int
    name: str
    line: str
    met_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.person.name


class EventOut(Schema):
    id: int
    name: str
    place: str
    held_on: date
    notes: str
    met: list[MetOut]

    @staticmethod
    def resolve_met(obj) -> list:
        return list(obj.met.select_related("person"))


class EventIn(Input):
    name: str = Field(min_length=1, max_length=200)
    place: str = Field("", max_length=200)
    held_on: date | None = Field(None, description="default: today")
    notes: str = ""


class MetIn(Input):
    name: str = Field(min_length=1, max_length=200)
    talked: str = Field("", max_length=500, description="one line about the conversation")
    reach: str = Field("", max_length=254, description="an e-mail address or a phone number")


@router.get("/events", response=answers(list[EventOut], 403))
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_events(request):
    return Event.objects.in_workspace(request.workspace).order_by("-held_on", "-id")


@router.post("/events", response=answers({201: EventOut}, 413), summary="Add an event")
@guard(Action.KEEP_IN_TOUCH)
def create_event(request, payload: EventIn):
    return 201, events.create(request.user, request.workspace, **payload.dict())


@router.get("/events/{int:event_id}", response=answers(EventOut, 403, 404))
@guard(Action.READ_TIMELINES)
def get_event(request, event_id: Id):
    return scoped_get(request, Event, event_id)


@router.post(
    "/events/{int:event_id}/met",
    response=answers({201: EventOut}, 404, 413),
    summary="Someone met there: name, a line, how to reach them",
)
@guard(Action.KEEP_IN_TOUCH)
def met_at_event(request, event_id: Id, payload: MetIn):
    event = scoped_get(request, Event, event_id)
    events.met_someone(event, request.user, **payload.dict())
    return 201, event


class PartOut(Schema):
    key: str
    title: str
    tone: str = Field(description="good, watch, poor or none")
    words: str = Field(description="why, in words")


class HealthOut(Schema):
    tone: str
    summary: str
    parts: list[PartOut]


@router.get(
    "/health/people/{int:person_id}",
    response=answers(HealthOut, 403, 404),
    summary="A person's relationship health, part by part, in words",
)
@guard(Action.READ_TIMELINES)
def health_of_person(request, person_id: Id):
    return person_health(scoped_get(request, Person, person_id))


@router.get(
    "/health/organisations/{int:organisation_id}",
    response=answers(HealthOut, 403, 404),
    summary="An organisation's relationship health over its people",
)
@guard(Action.READ_TIMELINES)
def health_of_organisation(request, organisation_id: Id):
    return organisation_health(scoped_get(request, Organisation, organisation_id))
