"""Relationship health is explained in words, part by part, for a person and an organisation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from tests.conftest import make_appointment, make_promise
from verbind.cadences import cadence as cadences
from verbind.cadences.health import organisation_health, person_health
from verbind.lib import health as parts
from verbind.lib.health import Part
from verbind.obligations.models import AppointmentStatus, PromiseStatus
from verbind.people.models import Interaction, Person

AMS = ZoneInfo("Europe/Amsterdam")


def test_a_persons_health_says_why_in_words(web, owner, person, workspace):
    with time_machine.travel(datetime(2026, 6, 1, 10, tzinfo=AMS), tick=False):
        for days in (170, 120, 100):  # more contact before than lately
            Interaction.objects.create(
                workspace=workspace,
                person=person,
                kind="call",
                notes="Call",
                occurred_at=datetime(2026, 6, 1, 10, tzinfo=AMS) - timedelta(days=days),
            )
        Interaction.objects.create(
            workspace=workspace,
            person=person,
            kind="call",
            notes="Call",
            occurred_at=datetime(2026, 6, 1, 10, tzinfo=AMS) - timedelta(days=63),
        )
        cadences.for_person(owner, person, 6)
        kept = make_promise(person, owner, due_in=-timedelta(days=20))
        kept.transition(PromiseStatus.KEPT, by=owner)
        missed = make_appointment(person, owner, starts_in=-timedelta(days=3))
        missed.transition(AppointmentStatus.MISSED_BY_US, by=owner)
        health = person_health(person)
        words = {p.key: p.words for p in health.parts}
        assert words["recency"] == "Last in touch 9 weeks ago; you keep in touch every 6 weeks."
        assert words["promises"] == "In the last year: 1 kept, 1 broken on our side."
        assert words["repairs"] == "1 repair is still owed: an apology with a next step."
        assert (
            words["trend"]
            == "Less contact lately: 1 touch in the last three months, 3 in the three before."
        )
        assert health.tone == "poor" and health.summary.startswith("Needs care")
        page = web.get(reverse("person", args=[person.pk])).content.decode()
        assert "Relationship health" in page and words["promises"] in page
        assert '<svg class="chart year-chart"' in page and "<title" in page


def test_an_organisations_health_counts_its_people(owner, organisation, person, workspace):
    quiet = Person.objects.create(
        workspace=workspace, name="Stille Willem", organisation=organisation
    )
    Interaction.objects.create(workspace=workspace, person=person, kind="call", notes="Call")
    Interaction.objects.create(
        workspace=workspace,
        person=quiet,
        kind="call",
        notes="Call",
        occurred_at=datetime(2024, 1, 1, tzinfo=AMS),
    )
    health = organisation_health(organisation)
    recency = next(p for p in health.parts if p.key == "recency")
    assert recency.words == "1 of 2 people are in touch within their rhythm; 1 has gone quiet."


def test_another_app_adds_a_part_without_this_one_knowing_it(person):
    def ledger(scope):
        return Part("ledger", "Give and get", "good", "They gave 2 and got 3.", 60)

    parts.register(ledger)
    try:
        assert person_health(person).parts[-1].words == "They gave 2 and got 3."
    finally:
        parts.PARTS.remove(ledger)
