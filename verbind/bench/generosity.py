"""The benchmark's introductions, ledger, asks and offers: history that grows with the scale,
and the same few items due per member at every scale."""

from __future__ import annotations

from datetime import timedelta

from verbind.introductions.asks import words
from verbind.introductions.models import (
    AskOffer,
    Balance,
    Direction,
    Help,
    Introduction,
    IntroState,
    LedgerEntry,
    Match,
    Waiting,
)

BATCH = 5_000
# What waits per member, whatever the scale.
WAITING_INTRODUCTIONS = 2
GIVE_BACK = 3
MATCHES = 2


def add(gen, workspace, person_ids, user_ids, introductions: int, entries: int) -> None:
    now, rnd = gen.now, gen.random
    done = [IntroState.HELPED, IntroState.MET, IntroState.DECLINED, IntroState.ENDED]
    rows = []
    for _i in range(introductions):
        a, b = rnd.sample(person_ids, 2)
        when = gen.when(1500)
        rows.append(
            Introduction(
                workspace=workspace,
                member_id=rnd.choice(user_ids),
                a_id=a,
                b_id=b,
                why="They should meet.",
                state=rnd.choice(done),
                created_at=when,
                introduced_at=when + timedelta(days=3),
                ended_at=when + timedelta(days=30),
            )
        )
    for user_id in user_ids:
        for _ in range(WAITING_INTRODUCTIONS):
            a, b = rnd.sample(person_ids, 2)
            rows.append(
                Introduction(
                    workspace=workspace,
                    member_id=user_id,
                    a_id=a,
                    b_id=b,
                    why="They should meet.",
                    state=IntroState.B_AGREED,
                    waiting=Waiting.SEND_ASK_A,
                    agenda_at=now - timedelta(hours=rnd.uniform(1, 30)),
                )
            )
    Introduction.objects.bulk_create(rows, batch_size=BATCH)
    gen.progress("introductions", introductions)

    totals: dict[int, list[int]] = {}
    for start in range(0, entries, BATCH):
        chunk = []
        for _ in range(min(BATCH, entries - start)):
            person = rnd.choice(person_ids)
            direction = rnd.choice([Direction.GAVE, Direction.GOT])
            chunk.append(
                LedgerEntry(
                    workspace=workspace,
                    person_id=person,
                    member_id=rnd.choice(user_ids),
                    direction=direction,
                    kind=rnd.choice(Help.values),
                    occurred_at=gen.when(1500),
                )
            )
            pair = totals.setdefault(person, [0, 0])
            pair[0 if direction == Direction.GAVE else 1] += 1
        LedgerEntry.objects.bulk_create(chunk)
        gen.progress("ledger_entries", len(chunk))
    # Balances as ``ledger.record`` keeps them; a few per member lean far enough to ask
    # "how could you help them back?" (the rest of the history stays below that).
    leaning = {}
    for user_id in user_ids:
        for _ in range(GIVE_BACK):
            leaning[rnd.choice(person_ids)] = user_id
    balances = []
    for person, (gave, got) in totals.items():
        if person in leaning:
            got = gave + 3
        elif got - gave >= 2:
            got = gave + 1
        balances.append(
            Balance(
                workspace=workspace,
                person_id=person,
                gave=gave,
                got=got,
                gap=got - gave,
                member_id=leaning.get(person, rnd.choice(user_ids)),
                last_got_at=now - timedelta(days=2),
            )
        )
    for person, user_id in leaning.items():
        if person not in totals:
            balances.append(
                Balance(workspace=workspace, person_id=person, got=3, gap=3, member_id=user_id)
            )
    Balance.objects.bulk_create(balances, batch_size=BATCH)

    asks, offers = [], []
    for user_id in user_ids:
        for _ in range(MATCHES):
            asker, giver = rnd.sample(person_ids, 2)
            asks.append(
                AskOffer(
                    workspace=workspace,
                    person_id=asker,
                    kind="ask",
                    member_id=user_id,
                    text="Looking for a hotel partner",
                    words=" ".join(words("hotel partner")),
                )
            )
            offers.append(
                AskOffer(
                    workspace=workspace,
                    person_id=giver,
                    kind="offer",
                    member_id=user_id,
                    text="Knows hotel owners",
                    words=" ".join(words("hotel owners")),
                )
            )
    AskOffer.objects.bulk_create(asks + offers)
    Match.objects.bulk_create(
        [
            Match(
                workspace=workspace, ask=ask, offer=offer, member_id=ask.member_id, shared="hotel"
            )
            for ask, offer in zip(asks, offers, strict=True)
        ]
    )
