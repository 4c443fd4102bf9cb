"""Events: people met there captured in seconds, each owed a "nice to meet you" within 2 days."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from verbind.cadences.models import Event, Met
from verbind.followthrough.agenda import agenda_for
from verbind.messaging.models import OutboxMessage
from verbind.people.models import Person
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")


def moment(*args):
    return time_machine.travel(datetime(*args, tzinfo=AMS), tick=False)


def test_each_person_met_at_an_event_gets_a_nice_to_meet_you_that_recalls_the_talk(
    smtp, web, owner, workspace
):
    with moment(2026, 11, 12, 21, 30):
        response = web.post(
            reverse("keeping"),
            {
                "event-name": "Clubavond november",
                "event-held_on": "2026-11-12",
                "event-place": "De Kroon",
            },
        )
        event = Event.objects.get()
        assert response["Location"] == reverse("event", args=[event.pk])
        web.post(
            reverse("event", args=[event.pk]),
            {
                "name": "Sophie Jansen",
                "talked": "Her bakery opens a second shop",
                "reach": "sophie@bakker.example",
            },
        )
        web.post(  # the quick add of the Today page files into the event too
            reverse("quick_add"),
            {
                "name": "Ruud Peters",
                "talked": "Looking for a bookkeeper",
                "reach": "+31 6 12345678",
                "event": event.pk,
            },
        )
        assert Met.objects.filter(event=event).count() == 2
        sophie = Person.objects.get(name="Sophie Jansen")
        assert sophie.met_how == "Clubavond november"
        items = [i for i in agenda_for(owner.memberships.get()) if i.rule == "nice_to_meet"]
        assert [i.person.name for i in items] == ["Sophie Jansen", "Ruud Peters"]
        assert all(i.due_by == datetime(2026, 11, 14, 21, 30, tzinfo=AMS) for i in items)
        assert "nice to meet them" in items[0].why
        page = web.get(reverse("event", args=[event.pk])).content.decode()
        assert "2 people met" in page and "Her bakery opens a second shop" in page
    with moment(2026, 11, 13, 9):
        response = web.post(reverse("agenda_action", args=[items[0].key, "draft"]))
        form = web.get(response["Location"]).context["form"]
        web.post(response["Location"], {**form.initial, "send": "1"})
        Worker().run_pass()
        [mail] = smtp.to("sophie@bakker.example")
        assert mail["Subject"] == "Nice to meet you at Clubavond november"  # the page was English
        assert "Her bakery opens a second shop" in mail.get_content()
        left = [i for i in agenda_for(owner.memberships.get()) if i.rule == "nice_to_meet"]
        assert [i.person.name for i in left] == ["Ruud Peters"]
    with moment(2026, 11, 14, 21, 31):
        [late] = [i for i in agenda_for(owner.memberships.get()) if i.rule == "nice_to_meet"]
        assert late.urgency == 0  # overdue after two days
    assert OutboxMessage.objects.count() == 1


def test_an_event_through_the_api(api):
    event = api.post("/api/v1/events", {"name": "Beurs Utrecht", "held_on": "2026-11-20"}).json()
    response = api.post(
        f"/api/v1/events/{event['id']}/met",
        {
            "name": "Anouk de Vries",
            "talked": "Solar panels for schools",
            "reach": "anouk@zon.example",
        },
    )
    assert response.status_code == 201
    assert response.json()["met"][0]["name"] == "Anouk de Vries"
    bad = api.post(f"/api/v1/events/{event['id']}/met", {"name": "X", "reach": "not a number"})
    assert bad.status_code == 422 and "reach" in bad.json()["message"]
