"""Another workspace can neither read nor act on your cadences, nudges and events (web, API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from verbind.cadences import cadence as cadences
from verbind.cadences import events, nudges
from verbind.cadences.models import Cadence, Event, Met, Nudge, NudgeState
from verbind.people.models import Person


@pytest.fixture
def ours(owner, workspace, person):
    event = events.create(owner, workspace, name="Clubavond")
    events.add_person(event, person, owner, "Secret plans")
    return {
        "cadence": cadences.for_person(owner, person, 6),
        "group": cadences.for_tag(owner, workspace, "warm leads", 8),
        "nudge": nudges.start(owner, person, "joining the club"),
        "event": event,
        "person": person,
    }


def test_an_outsider_gets_404_for_our_pages_and_cannot_act(outsider_web, ours):
    nudge, event, person = ours["nudge"], ours["event"], ours["person"]
    assert outsider_web.get(reverse("nudge", args=[nudge.pk])).status_code == 404
    assert outsider_web.get(reverse("event", args=[event.pk])).status_code == 404
    posts = [
        (reverse("nudge_decide", args=[nudge.pk, "close"]), {}),
        (reverse("event", args=[event.pk]), {"name": "Intruder"}),
        (reverse("person_keeping", args=[person.pk, "cadence"]), {"every_weeks": 1}),
        (reverse("person_keeping", args=[person.pk, "nudge"]), {"about": "x"}),
        (reverse("cadence_group_stop", args=[ours["group"].pk]), {}),
    ]
    for url, data in posts:
        assert outsider_web.post(url, data).status_code == 404, url
    assert Nudge.objects.get(pk=nudge.pk).state == NudgeState.WAITING
    assert Met.objects.filter(event=event).count() == 1
    assert Cadence.objects.get(pk=ours["cadence"].pk).every_weeks == 6
    assert Cadence.objects.filter(pk=ours["group"].pk).exists()
    page = outsider_web.get(reverse("keeping")).content.decode()
    assert "Clubavond" not in page and "joining the club" not in page and "warm leads" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cadences/{cadence}",
        "/api/v1/nudges/{nudge}",
        "/api/v1/events/{event}",
        "/api/v1/health/people/{person}",
        "/api/v1/health/organisations/{organisation}",
    ],
)
def test_an_outsider_gets_404_from_the_api(outsider_api, ours, organisation, path):
    ids = {k: v.pk for k, v in ours.items()} | {"organisation": organisation.pk}
    assert outsider_api.get(path.format(**ids)).status_code == 404


def test_an_outsider_cannot_act_through_the_api(outsider_api, ours, other_workspace):
    nudge, event, person = ours["nudge"], ours["event"], ours["person"]
    assert outsider_api.post(f"/api/v1/nudges/{nudge.pk}/close").status_code == 404
    assert outsider_api.post(f"/api/v1/nudges/{nudge.pk}/wait-longer").status_code == 404
    assert outsider_api.post(f"/api/v1/events/{event.pk}/met", {"name": "X"}).status_code == 404
    assert outsider_api.delete(f"/api/v1/cadences/{ours['cadence'].pk}").status_code == 404
    response = outsider_api.post("/api/v1/cadences", {"person_id": person.pk, "every_weeks": 2})
    assert response.status_code == 422
    response = outsider_api.post("/api/v1/nudges", {"person_id": person.pk, "about": "x"})
    assert response.status_code == 422
    assert (
        outsider_api.post("/api/v1/tags", {"person_id": person.pk, "tag": "x"}).status_code == 422
    )
    Person.objects.create(workspace=other_workspace, name="Their own")
    assert outsider_api.get("/api/v1/cadences").json()["items"] == []
    assert outsider_api.get("/api/v1/nudges").json()["items"] == []
    assert outsider_api.get("/api/v1/events").json()["items"] == []
    assert Event.objects.get(pk=event.pk).met.count() == 1
