"""A seeded synthetic workspace for benchmarks.

At scale 1: 50 members, 50,000 people, 1,000,000 interactions, 200,000 promises,
100,000 appointments, 5,000 introductions, 20,000 ledger entries and cadences on a
quarter of the people (``bench.keeping``). History (closed promises, past meetings,
interactions, introductions, gives and gets) grows with the scale; what is *due* per
member (open promises near their time, recent lapses, recent first meetings) stays the same, so the benchmark can show
that the agenda's cost follows what is due, not the size of the history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from verbind.bench import generosity
from verbind.bench.keeping import add_keeping
from verbind.followthrough.repairs import open_repair
from verbind.obligations.models import (
    Appointment,
    AppointmentStatus,
    Outcome,
    Promise,
    PromiseStatus,
)
from verbind.people.models import Interaction, Organisation, Person
from verbind.workspaces.models import Membership, Role, Workspace

MEMBERS = 50
PER_SCALE = {
    "people": 50_000,
    "interactions": 1_000_000,
    "promises": 200_000,
    "appointments": 100_000,
    "introductions": 5_000,
    "ledger_entries": 20_000,
}
# What is due per member, whatever the scale.
DUE_PER_MEMBER = {
    "open_soon": 6,
    "open_later": 40,
    "late": 4,
    "missed_recently": 2,
    "first_meetings": 3,
    "they_cancelled": 2,
}
BATCH = 5_000


def sizes(scale: float) -> dict[str, int]:
    return {name: max(1, int(count * scale)) for name, count in PER_SCALE.items()}


class Generator:
    def __init__(
        self, scale: float, seed: int = 1, progress: Callable[[str, int], None] | None = None
    ):
        self.scale = scale
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.progress = progress or (lambda task, n: None)

    def when(self, days_back: int) -> timezone.datetime:
        return self.now - timedelta(
            days=self.random.uniform(31, days_back), minutes=self.random.randint(0, 600)
        )

    @transaction.atomic
    def build(self) -> Workspace:
        n = sizes(self.scale)
        User = get_user_model()
        workspace = Workspace.objects.create(
            name="Benchmark", slug=f"bench-{self.random.randint(0, 10**9)}"
        )
        users = User.objects.bulk_create(
            [
                User(
                    username=f"member{i}@bench.example",
                    email=f"member{i}@bench.example",
                    first_name=f"Member{i}",
                )
                for i in range(MEMBERS)
            ]
        )
        users = list(User.objects.filter(username__endswith="@bench.example").order_by("id"))
        Membership.objects.bulk_create(
            [
                Membership(workspace=workspace, user=u, role=Role.OWNER if i == 0 else Role.MEMBER)
                for i, u in enumerate(users)
            ]
        )
        self.progress("members", MEMBERS)
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(workspace=workspace, name=f"Organisation {i}")
                for i in range(max(1, n["people"] // 10))
            ],
            batch_size=BATCH,
        )
        people = []
        for start in range(0, n["people"], BATCH):
            chunk = [
                Person(
                    workspace=workspace,
                    name=f"Person {i}",
                    email=f"person{i}@bench.example",
                    organisation=self.random.choice(orgs),
                )
                for i in range(start, min(start + BATCH, n["people"]))
            ]
            people += Person.objects.bulk_create(chunk)
            self.progress("people", len(chunk))
        person_ids = [p.pk for p in people]
        user_ids = [u.pk for u in users]
        self._interactions(workspace, person_ids, user_ids, n["interactions"])
        self._promises(workspace, person_ids, user_ids, n["promises"])
        self._appointments(workspace, person_ids, user_ids, n["appointments"])
        self._due(workspace, person_ids, user_ids)
        generosity.add(
            self, workspace, person_ids, user_ids, n["introductions"], n["ledger_entries"]
        )
        add_keeping(workspace, person_ids, user_ids, self.random, self.now)
        if connection.vendor == "postgresql":
            # A live database has statistics (autovacuum analyzes a table after many
            # changes); right after a bulk load it has none, and PostgreSQL plans the
            # agenda's joins blind: the hand-written agenda took 12 ms instead of 6.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return workspace

    def _interactions(self, workspace, person_ids, user_ids, count):
        kinds = ["meeting", "call", "email", "message", "event"]
        for start in range(0, count, BATCH):
            chunk = [
                Interaction(
                    workspace=workspace,
                    person_id=self.random.choice(person_ids),
                    member_id=self.random.choice(user_ids),
                    kind=self.random.choice(kinds),
                    direction="mutual",
                    occurred_at=self.when(1500),
                    notes="Talked shop.",
                )
                for _ in range(min(BATCH, count - start))
            ]
            Interaction.objects.bulk_create(chunk)
            self.progress("interactions", len(chunk))

    def _promises(self, workspace, person_ids, user_ids, count):
        """History: promises kept or released long ago."""
        for start in range(0, count, BATCH):
            chunk = []
            for _ in range(min(BATCH, count - start)):
                due = self.when(1500)
                status = (
                    PromiseStatus.KEPT if self.random.random() < 0.9 else PromiseStatus.RELEASED
                )
                chunk.append(
                    Promise(
                        workspace=workspace,
                        owner_id=self.random.choice(user_ids),
                        person_id=self.random.choice(person_ids),
                        what="Send the proposal",
                        due_at=due,
                        status=status,
                        outcome=status,
                        closed_at=due,
                    )
                )
            Promise.objects.bulk_create(chunk)
            self.progress("promises", len(chunk))

    def _appointments(self, workspace, person_ids, user_ids, count):
        """History: meetings held, and a few cancelled, long ago."""
        for start in range(0, count, BATCH):
            chunk = []
            for _ in range(min(BATCH, count - start)):
                starts = self.when(1500)
                held = self.random.random() < 0.9
                status = AppointmentStatus.HELD if held else AppointmentStatus.CANCELLED_BY_THEM
                chunk.append(
                    Appointment(
                        workspace=workspace,
                        owner_id=self.random.choice(user_ids),
                        person_id=self.random.choice(person_ids),
                        title="Coffee",
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=1),
                        status=status,
                        outcome=Outcome.KEPT if held else Outcome.RELEASED,
                        closed_at=starts,
                    )
                )
            Appointment.objects.bulk_create(chunk)
            self.progress("appointments", len(chunk))

    def _due(self, workspace, person_ids, user_ids):
        """What is owed right now, the same amount per member at every scale."""
        now, d = self.now, DUE_PER_MEMBER
        promises, appointments = [], []
        for user_id in user_ids:
            pick = lambda: self.random.choice(person_ids)  # noqa: E731
            for _ in range(d["open_soon"]):
                promises.append(
                    Promise(
                        workspace=workspace,
                        owner_id=user_id,
                        person_id=pick(),
                        what="Call back",
                        due_at=now + timedelta(minutes=self.random.randint(10, 1400)),
                    )
                )
            for _ in range(d["open_later"]):
                promises.append(
                    Promise(
                        workspace=workspace,
                        owner_id=user_id,
                        person_id=pick(),
                        what="Reply",
                        due_at=now + timedelta(days=self.random.uniform(2, 60)),
                    )
                )
            for _ in range(d["late"]):
                promises.append(
                    Promise(
                        workspace=workspace,
                        owner_id=user_id,
                        person_id=pick(),
                        what="Proposal",
                        due_at=now - timedelta(hours=self.random.uniform(1, 40)),
                    )
                )
            for kind, status, outcome in [
                ("missed_recently", AppointmentStatus.MISSED_BY_US, Outcome.BROKEN),
                ("first_meetings", AppointmentStatus.HELD, Outcome.KEPT),
                ("they_cancelled", AppointmentStatus.CANCELLED_BY_THEM, Outcome.RELEASED),
            ]:
                for _ in range(d[kind]):
                    starts = now - timedelta(hours=self.random.uniform(2, 40))
                    appointments.append(
                        Appointment(
                            workspace=workspace,
                            owner_id=user_id,
                            person_id=pick(),
                            title="Visit",
                            starts_at=starts,
                            ends_at=starts + timedelta(hours=1),
                            status=status,
                            outcome=outcome,
                            closed_at=starts + timedelta(minutes=30),
                        )
                    )
        Promise.objects.bulk_create(promises)
        Appointment.objects.bulk_create(appointments)
        for appointment in Appointment.objects.filter(workspace=workspace, outcome=Outcome.BROKEN):
            open_repair(appointment, "missed_by_us", occurred_at=appointment.closed_at)
        self.progress("due items", len(promises) + len(appointments))
