"""Absences through the API: the caller's own, checked like the web form."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.conftest import make_appointment
from verbind.followthrough.agenda import agenda_for
from verbind.scheduling.models import Absence


def test_an_absence_made_through_the_api_flags_the_meeting_inside_it(
    api, owner, colleague, person, outsider_api
):
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    meeting = make_appointment(person, owner, starts_in=timedelta(days=11))
    made = api.post(
        "/api/v1/absences",
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=3)).isoformat(),
            "backup_id": colleague.pk,
            "note": "Course",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["backup_id"] == colleague.pk
    host = owner.memberships.get()
    assert f"absence:{meeting.pk}" in [item.key for item in agenda_for(host)]
    assert [a["id"] for a in api.get("/api/v1/absences").json()] == [made.json()["id"]]
    assert outsider_api.get("/api/v1/absences").json() == []
    assert outsider_api.delete(f"/api/v1/absences/{made.json()['id']}").status_code == 404
    assert api.delete(f"/api/v1/absences/{made.json()['id']}").status_code == 204
    assert not Absence.objects.exists()


def test_bad_absences_are_named(api, outsider):
    now = timezone.now()
    backwards = api.post(
        "/api/v1/absences",
        {
            "starts_at": (now + timedelta(days=2)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    assert backwards.status_code == 422 and backwards.json()["errors"]["ends_at"]
    past = api.post(
        "/api/v1/absences",
        {
            "starts_at": (now - timedelta(days=2)).isoformat(),
            "ends_at": (now - timedelta(days=1)).isoformat(),
        },
    )
    assert past.json()["errors"]["ends_at"] == ["This absence is over already."]
    stranger = api.post(
        "/api/v1/absences",
        {
            "starts_at": (now + timedelta(days=1)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "backup_id": outsider.pk,
        },
    )
    assert stranger.status_code == 422 and stranger.json()["errors"]["backup_id"]
    naive = api.post(
        "/api/v1/absences", {"starts_at": "2030-01-01T09:00:00", "ends_at": "2030-01-02T09:00:00"}
    )
    assert naive.status_code == 422 and "time zone" in naive.json()["errors"]["starts_at"][0]
    assert not Absence.objects.exists()
