from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, resolve, scoped_get
from verbind.api.pagination import Page
from verbind.introductions import asks, ledger
from verbind.introductions.models import (
    AskOffer,
    AskOfferKind,
    Direction,
    Help,
    LedgerEntry,
    Match,
    MatchState,
)
from verbind.people.models import Person
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["ledger"])


class LedgerEntryOut(Schema):
    id: int
    person_id: int
    member_id: int | None
    direction: Direction = Field(description="gave: we helped them; got: they helped us")
    kind: Help
    note: str
    occurred_at: datetime
    introduction_id: int | None
    brought_id: int | None = Field(description="for a referral: the person they brought")


class LedgerEntryIn(Input):
    person_id: Id
    direction: Direction
    kind: Help
    note: str = Field("", max_length=300)
    brought_id: Id | None = None
    for_workspace: bool = Field(False, description="the workspace as a whole rather than you")


class BalanceOut(Schema):
    person_id: int
    gave: int
    got: int
    referrals: int
    ambassador: bool
    in_words: str


class AskOfferOut(Schema):
    id: int
    person_id: int
    kind: AskOfferKind
    text: str
    is_open: bool
    created_at: datetime


class AskOfferIn(Input):
    person_id: Id
    kind: AskOfferKind
    text: str = Field(min_length=1, max_length=300)


class MatchOut(Schema):
    id: int
    ask: AskOfferOut
    offer: AskOfferOut
    shared: str = Field(description="the words they share")
    state: MatchState


@router.get("/entries", response=answers(list[LedgerEntryOut], 403), summary="Gives and gets")
@guard(Action.READ_TIMELINES)
@paginate(Page)
def list_entries(request, person_id: Id | None = None):
    entries = LedgerEntry.objects.in_workspace(request.workspace)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    return entries


@router.post(
    "/entries", response=answers({201: LedgerEntryOut}, 413), summary="Log a give or a get"
)
@guard(Action.LOG_ENTRY)
def create_entry(request, payload: LedgerEntryIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    brought = resolve(request, Person, payload.brought_id, "brought_id")
    entry = ledger.record(
        request.workspace.pk,
        person,
        payload.direction,
        payload.kind,
        member=None if payload.for_workspace else request.user,
        note=payload.note,
        brought=brought,
    )
    return 201, entry


@router.get(
    "/balance/{int:person_id}", response=answers(BalanceOut, 403, 404), summary="A person's balance"
)
@guard(Action.READ_TIMELINES)
def balance(request, person_id: Id):
    person = scoped_get(request, Person, person_id)
    row = ledger.balance_of(person)
    return {
        "person_id": person.pk,
        "gave": row.gave,
        "got": row.got,
        "referrals": row.referrals,
        "ambassador": row.referrals > 0,
        "in_words": ledger.in_words(person, row),
    }


@router.get("/asks", response=answers(list[AskOfferOut]), summary="Asks and offers")
@paginate(Page)
def list_asks(
    request, person_id: Id | None = None, kind: AskOfferKind | None = None, open: bool = True
):
    items = AskOffer.objects.in_workspace(request.workspace).filter(is_open=open)
    if person_id is not None:
        items = items.filter(person_id=person_id)
    if kind is not None:
        items = items.filter(kind=kind)
    return items


@router.post(
    "/asks",
    response=answers({201: AskOfferOut}, 413),
    summary="Keep an ask or an offer",
    description="An offer that fits someone's open ask (or the other way round) becomes a "
    "suggestion on your agenda: introduce them?",
)
@guard(Action.KEEP_ASKS)
def create_ask(request, payload: AskOfferIn):
    person = resolve(request, Person, payload.person_id, "person_id")
    return 201, asks.add(request.membership, person, payload.kind, payload.text)


@router.post(
    "/asks/{int:ask_id}/close", response=answers(AskOfferOut, 404), summary="Close an ask or offer"
)
@guard(Action.KEEP_ASKS)
def close_ask(request, ask_id: Id):
    item = scoped_get(request, AskOffer, ask_id)
    asks.close(item)
    return item


@router.get("/matches", response=answers(list[MatchOut]), summary="Suggested introductions")
@paginate(Page)
def list_matches(request, state: MatchState = MatchState.OPEN):
    return (
        Match.objects.in_workspace(request.workspace)
        .filter(state=state)
        .select_related("ask", "offer")
    )
