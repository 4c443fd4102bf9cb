"""Keeping in touch in the benchmark: cadences on a quarter of the people, nudges and events,
and one organisation of 500 people whose health is measured."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from verbind.cadences.health import organisation_health
from verbind.cadences.models import Cadence, Event, Met, Nudge, NudgeState
from verbind.people.models import Organisation, Person

BIG_ORGANISATION = 500
# Per member, whatever the scale: cadences due now, nudge steps due, people met last night.
DUE_PER_MEMBER = {"cadences_due": 4, "nudges_due": 2, "met_recently": 3}
NUDGES_WAITING_PER_MEMBER = 20


def add_keeping(workspace, person_ids, user_ids, rnd, now, batch: int = 5_000) -> int:
    """Rows for the keeping-in-touch rules; returns how many cadences were made."""
    chosen = rnd.sample(person_ids, len(person_ids) // 4)
    due_left = {user_id: DUE_PER_MEMBER["cadences_due"] for user_id in user_ids}
    rows = []
    for index, person_id in enumerate(chosen):
        owner = user_ids[index % len(user_ids)]
        if due_left[owner]:
            due_left[owner] -= 1
            due = now - timedelta(hours=rnd.uniform(1, 200))
        else:  # most relations are warm: their next touch is weeks ahead
            due = now + timedelta(days=rnd.uniform(2, 120))
        every = rnd.choice([4, 6, 8, 13])
        rows.append(
            Cadence(
                workspace=workspace,
                owner_id=owner,
                person_id=person_id,
                every_weeks=every,
                last_touch_at=due - timedelta(weeks=every),
                due_at=due,
            )
        )
    Cadence.objects.bulk_create(rows, batch_size=batch)
    nudges, met = [], []
    for user_id in user_ids:
        for n in range(NUDGES_WAITING_PER_MEMBER):
            due = n < DUE_PER_MEMBER["nudges_due"]
            nudges.append(
                Nudge(
                    workspace=workspace,
                    owner_id=user_id,
                    person_id=rnd.choice(person_ids),
                    about="joining the club",
                    intervals=[2, 4, 8],
                    state=NudgeState.WAITING,
                    started_at=now - timedelta(days=20),
                    next_at=now - timedelta(hours=3)
                    if due
                    else now + timedelta(days=rnd.uniform(2, 50)),
                )
            )
        event = Event.objects.create(
            workspace=workspace, owner_id=user_id, name="Club evening", held_on=now.date()
        )
        for _ in range(DUE_PER_MEMBER["met_recently"]):
            met.append(
                Met(
                    workspace=workspace,
                    event=event,
                    owner_id=user_id,
                    person_id=rnd.choice(person_ids),
                    line="Talked about the club",
                    met_at=now - timedelta(hours=rnd.uniform(1, 20)),
                )
            )
    Nudge.objects.bulk_create(nudges, batch_size=batch)
    Met.objects.bulk_create(met, batch_size=batch, ignore_conflicts=True)
    big = Organisation.objects.create(workspace=workspace, name="Big Organisation")
    Person.objects.filter(pk__in=person_ids[:BIG_ORGANISATION]).update(organisation=big)
    return len(rows)


def health_timings(workspace, runs: int = 30) -> dict:
    """Health of the organisation of 500 people, the organisation page's parts: median, p95."""
    big = Organisation.objects.get(workspace=workspace, name="Big Organisation")
    for _ in range(3):
        organisation_health(big)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        organisation_health(big)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "health_people": big.people.count(),
        "health_median_ms": round(statistics.median(timings), 2),
        "health_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "rows_cadences": Cadence.objects.filter(workspace=workspace).count(),
    }
