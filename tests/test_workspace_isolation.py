"""A member of one workspace can never see or change anything of another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import make_appointment, make_promise
from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, Person


@pytest.fixture
def theirs(workspace, person, owner, organisation):
    """Everything of Olga's workspace, which Otto (the outsider) must not reach."""
    return {
        "person": person,
        "organisation": organisation,
        "appointment": make_appointment(person, owner, starts_in=-timedelta(hours=1)),
        "promise": make_promise(person, owner),
        "interaction": Interaction.objects.create(
            workspace=workspace, person=person, kind="call", notes="secret notes"
        ),
    }


def web_urls(t):
    return [
        reverse("person", args=[t["person"].pk]),
        reverse("person_edit", args=[t["person"].pk]),
        reverse("organisation", args=[t["organisation"].pk]),
        reverse("organisation_edit", args=[t["organisation"].pk]),
    ]


def test_an_outsider_gets_404_for_every_page_of_another_workspace(outsider_web, theirs):
    for url in web_urls(theirs):
        assert outsider_web.get(url).status_code == 404, url


def test_an_outsider_cannot_change_anything_through_the_web(outsider_web, theirs):
    person, appointment, promise = theirs["person"], theirs["appointment"], theirs["promise"]
    posts = [
        (
            reverse("person_edit", args=[person.pk]),
            {"name": "Hacked", "language": "nl", "preferred_channel": "email"},
        ),
        (
            reverse("person_action", args=[person.pk, "interaction"]),
            {"kind": "call", "direction": "mutual"},
        ),
        (reverse("appointment_transition", args=[appointment.pk]), {"to": "missed_by_us"}),
        (reverse("promise_transition", args=[promise.pk]), {"to": "broken"}),
        (
            reverse("reschedule", args=[appointment.pk]),
            {"starts_at": "2030-01-01T10:00", "duration": 60},
        ),
    ]
    for url, data in posts:
        assert outsider_web.post(url, data).status_code == 404, url
    assert Person.objects.get(pk=person.pk).name == "Hans Verbeek"
    assert Interaction.objects.filter(person=person).count() == 1
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CONFIRMED
    assert Promise.objects.get(pk=promise.pk).status == "open"


def test_lists_and_search_show_only_the_own_workspace(outsider_web, theirs, other_workspace):
    Person.objects.create(workspace=other_workspace, name="Hanna Otto")
    page = outsider_web.get(reverse("people"), {"q": "Han"}).content.decode()
    assert "Hanna Otto" in page
    assert "Hans Verbeek" not in page
    assert "Verbeek Bouwadvies" not in outsider_web.get(reverse("organisations")).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/{person}",
        "/api/v1/organisations/{organisation}",
        "/api/v1/interactions/{interaction}",
        "/api/v1/appointments/{appointment}",
        "/api/v1/promises/{promise}",
    ],
)
def test_an_outsider_gets_404_for_every_api_object_of_another_workspace(outsider_api, theirs, path):
    url = path.format(**{k: v.pk for k, v in theirs.items()})
    for response in (outsider_api.get(url), outsider_api.delete(url)):
        assert response.status_code == 404
        assert response.json() == {"message": "Not found."}
    # A change they could make to their own (an unknown field would be a 422 first).
    change = {"interactions": {"notes": "x"}}.get(path.split("/")[3], {"name": "x"})
    assert outsider_api.patch(url, change).status_code in (404, 405)


def test_an_outsider_cannot_act_on_or_refer_to_another_workspace_through_the_api(
    outsider_api, theirs
):
    appointment, promise, person = theirs["appointment"], theirs["promise"], theirs["person"]
    assert (
        outsider_api.post(
            f"/api/v1/appointments/{appointment.pk}/transition", {"to": "held"}
        ).status_code
        == 404
    )
    assert (
        outsider_api.post(f"/api/v1/promises/{promise.pk}/transition", {"to": "kept"}).status_code
        == 404
    )
    logged = outsider_api.post("/api/v1/interactions", {"person_id": person.pk, "kind": "call"})
    assert logged.status_code == 422
    assert "person_id" in logged.json()["errors"]
    listed = outsider_api.get("/api/v1/people").json()
    assert listed["count"] == 0
    assert outsider_api.get("/api/v1/appointments").json()["count"] == 0
    assert Interaction.objects.filter(person=person).count() == 1


def test_an_outsider_cannot_open_send_or_cancel_another_workspaces_message(
    outsider_web, person, owner
):
    from verbind.followthrough.drafts import make_draft
    from verbind.messaging.models import OutboxMessage

    message = make_draft("thank_you", person, owner, owner.memberships.get().zone)
    assert outsider_web.get(reverse("message", args=[message.pk])).status_code == 404
    assert (
        outsider_web.post(reverse("message", args=[message.pk]), {"send": "1"}).status_code == 404
    )
    assert outsider_web.post(reverse("message_sent", args=[message.pk])).status_code == 404
    assert outsider_web.post(reverse("message_cancel", args=[message.pk])).status_code == 404
    assert "Hans" not in outsider_web.get(reverse("outbox")).content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).state == "draft"


def test_the_agenda_api_shows_only_the_callers_own_workspace(outsider_api, theirs):
    appointment = theirs["appointment"]
    appointment.transition("missed_by_us")
    assert outsider_api.get("/api/v1/agenda").json() == []
