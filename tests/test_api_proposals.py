"""Offering times through the API, as a script or another app would."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client

from verbind.scheduling.models import Proposal, ProposedSlot


def test_a_proposal_is_made_with_a_link_that_works_once_shown(api, person, colleague):
    made = api.post(
        "/api/v1/proposals",
        {
            "person_id": person.pk,
            "count": 2,
            "within_days": 21,
            "duration_minutes": 45,
            "place": "Gouda",
            "co_host_id": colleague.pk,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (
        len(body["slots"]) == 2 and body["state"] == "open" and body["co_host_id"] == colleague.pk
    )
    first = body["slots"][0]
    length = datetime.fromisoformat(first["ends_at"]) - datetime.fromisoformat(first["starts_at"])
    assert length == timedelta(minutes=45)
    assert Client().get(body["link"].replace("http://localhost:8000", "")).status_code == 200
    # The link is shown once: listing and reading never repeat it.
    listed = api.get("/api/v1/proposals").json()
    assert listed["count"] == 1 and "link" not in listed["items"][0]
    assert "link" not in api.get(f"/api/v1/proposals/{body['id']}").json()


def test_withdrawing_frees_the_times_and_a_second_withdraw_is_a_conflict(api, person):
    proposal_id = api.post("/api/v1/proposals", {"person_id": person.pk}).json()["id"]
    assert api.post(f"/api/v1/proposals/{proposal_id}/withdraw").json()["state"] == "withdrawn"
    again = api.post(f"/api/v1/proposals/{proposal_id}/withdraw")
    assert again.status_code == 409 and again.json()["message"] == "This offer is no longer open."
    assert ProposedSlot.objects.filter(proposal__state="open").count() == 0


def test_bad_input_is_named(api, person, outsider):
    assert api.post("/api/v1/proposals", {"person_id": 999999}).json()["errors"]["person_id"]
    bad = api.post("/api/v1/proposals", {"person_id": person.pk, "count": 50})
    assert bad.status_code == 422 and "count" in bad.json()["message"]
    stranger = api.post("/api/v1/proposals", {"person_id": person.pk, "co_host_id": outsider.pk})
    assert stranger.status_code == 422 and stranger.json()["errors"]["co_host_id"]
    none_free = api.post("/api/v1/proposals", {"person_id": person.pk, "within_days": 1})
    assert none_free.status_code == 409  # 24 h notice: nothing free within a day
    assert Proposal.objects.count() == 0


def test_another_workspace_sees_no_proposals(api, outsider_api, person):
    proposal_id = api.post("/api/v1/proposals", {"person_id": person.pk}).json()["id"]
    assert outsider_api.get(f"/api/v1/proposals/{proposal_id}").status_code == 404
    assert outsider_api.get("/api/v1/proposals").json()["count"] == 0
    assert outsider_api.post(f"/api/v1/proposals/{proposal_id}/withdraw").status_code == 404
    assert outsider_api.post("/api/v1/proposals", {"person_id": person.pk}).status_code == 422


def test_huge_ids_are_invalid_input_not_errors(api, person):
    huge = 10**30
    assert api.post("/api/v1/proposals", {"person_id": huge}).status_code == 422
    assert (
        api.post("/api/v1/proposals", {"person_id": person.pk, "co_host_id": huge}).status_code
        == 422
    )
    assert api.get("/api/v1/proposals", person_id=huge).status_code == 422
