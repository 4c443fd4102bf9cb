from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve, scoped_get
from verbind.api.pagination import Page
from verbind.introductions import flow
from verbind.introductions.models import Introduction, IntroState, Waiting
from verbind.people.models import Person
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["introductions"])


class IntroductionOut(Schema):
    id: int
    a_id: int = Field(description="who is helped (asked second)")
    b_id: int = Field(description="who can help (asked first)")
    why: str
    a_asked: bool
    state: IntroState
    waiting: Waiting = Field(description="what it waits for from you; empty when nothing")
    drafts: list[int] = Field(
        description="ids of its messages waiting in your outbox to be read and sent"
    )
    created_at: datetime
    introduced_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_drafts(obj) -> list[int]:
        return list(flow.drafts(obj).values_list("id", flat=True))


class IntroductionIn(Input):
    a_id: Id = Field(description="the person who is helped")
    b_id: Id = Field(description="the person who can help; asked first")
    why: str = Field(min_length=1, max_length=1000, description="why these two should meet")
    a_asked: bool = Field(False, description="A asked for it: A's yes is given")
    confirm_recent_decline: bool = Field(
        False,
        description="go ahead although one of them declined an introduction in the last 6 months",
    )


@router.get("", response=answers(list[IntroductionOut], 403), summary="List introductions")
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_introductions(request, state: IntroState | None = None, person_id: Id | None = None):
    intros = Introduction.objects.in_workspace(request.workspace)
    if state is not None:
        intros = intros.filter(state=state)
    if person_id is not None:
        intros = intros.filter(a_id=person_id) | intros.filter(b_id=person_id)
    return intros


@router.post(
    "",
    response=answers({201: IntroductionOut}, 409, 413),
    summary="Introduce A to B",
    description="Writes the question to B as a draft in your outbox (nothing is sent yet): "
    "read it and send it with POST /introductions/{id}/send. Refused (422) for a person "
    "and themselves; refused (409, code recently_declined) when one of them declined an "
    "introduction in the last 6 months, unless confirm_recent_decline is true.",
)
@guard(Action.INTRODUCE)
def create_introduction(request, payload: IntroductionIn):
    a = resolve(request, Person, payload.a_id, "a_id")
    b = resolve(request, Person, payload.b_id, "b_id")
    intro = flow.introduce(
        request.membership,
        a,
        b,
        payload.why,
        a_asked=payload.a_asked,
        confirm=payload.confirm_recent_decline,
    )
    return 201, intro


@router.get("/{int:introduction_id}", response=answers(IntroductionOut, 403, 404))
@guard(Action.READ_TIMELINES)
def get_introduction(request, introduction_id: Id):
    return scoped_get(request, Introduction, introduction_id)


@router.post(
    "/{int:introduction_id}/send",
    response=answers(IntroductionOut, 403, 404, 409),
    summary="Send its drafts",
    description="Sends the messages that wait in the outbox for this introduction, as read.",
)
@guard(Action.CHANGE_INTRODUCTION)
def send_introduction(request, introduction_id: Id):
    intro = scoped_get(request, Introduction, introduction_id)
    flow.send_drafts(request.membership, intro)
    intro.refresh_from_db()
    return intro


@router.post(
    "/{int:introduction_id}/end",
    response=answers(IntroductionOut, 403, 404, 409),
    summary="End it kindly",
)
@guard(Action.CHANGE_INTRODUCTION)
def end_introduction(request, introduction_id: Id):
    intro = scoped_get(request, Introduction, introduction_id)
    flow.end(request.membership, intro)
    intro.refresh_from_db()
    return intro


@router.post(
    "/{int:introduction_id}/wait",
    response=answers(IntroductionOut, 403, 404, 409),
    summary="No answer yet: wait another week before deciding",
)
@guard(Action.CHANGE_INTRODUCTION)
def wait_on_introduction(request, introduction_id: Id):
    intro = scoped_get(request, Introduction, introduction_id)
    flow.keep_waiting(request.membership, intro)
    intro.refresh_from_db()
    return intro
