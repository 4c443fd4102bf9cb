"""A person's (or an organisation's) story: what is still open, and what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, Person


@dataclass
class Entry:
    kind: str  # "interaction", "appointment" or "promise"
    when: datetime
    item: object

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.item.pk}"


@dataclass
class Timeline:
    open: list[Entry] = field(default_factory=list)
    history: list[Entry] = field(default_factory=list)
    # What the layers above add as open with them: repairs owed, times on offer.
    repairs: list = field(default_factory=list)
    offers: list = field(default_factory=list)

    @property
    def anything_open(self) -> bool:
        return bool(self.open or self.repairs or self.offers)

    def __bool__(self) -> bool:
        return bool(self.open or self.history or self.repairs or self.offers)


def timeline_for(people: QuerySet[Person], limit: int = 200) -> Timeline:
    """Open obligations soonest first; everything else newest first."""
    interactions = (
        Interaction.objects.filter(person__in=people)
        .select_related("person", "member")
        .order_by("-occurred_at", "-id")[:limit]
    )
    appointments = (
        Appointment.objects.filter(person__in=people)
        .select_related("person", "owner", "successor")
        .prefetch_related("participants")
        .order_by("-starts_at", "-id")[:limit]
    )
    promises = (
        Promise.objects.filter(person__in=people)
        .select_related("person", "owner")
        .order_by("-due_at", "-id")[:limit]
    )
    result = Timeline()
    for interaction in interactions:
        result.history.append(Entry("interaction", interaction.occurred_at, interaction))
    for appointment in appointments:
        entry = Entry("appointment", appointment.starts_at, appointment)
        waiting = appointment.status in (AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED)
        (result.open if waiting else result.history).append(entry)
    for promise in promises:
        entry = Entry("promise", promise.due_at, promise)
        (result.open if promise.is_open else result.history).append(entry)
    result.open.sort(key=lambda e: e.when)
    result.history.sort(key=lambda e: e.when, reverse=True)
    result.history = result.history[:limit]
    return result
