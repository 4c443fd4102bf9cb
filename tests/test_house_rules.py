"""Rules decided once, in the domain: what every edge (web, API, CLI) then says alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.followthrough.drafts import make_draft
from verbind.obligations.models import AppointmentStatus
from verbind.scheduling.models import Absence, Availability, ProposedSlot
from verbind.scheduling.proposals import OfferInvalid, offer, propose

DAY = timedelta(days=1)
# A Tuesday morning in winter (Amsterdam = UTC+1), so working days are easy to reason about.
NOW = "2026-12-01 08:00:00+00:00"


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


@pytest.fixture
def trip(host):
    """The host left yesterday for three months."""
    start = timezone.now() - DAY
    return Absence.objects.create(
        workspace=host.workspace, membership=host, starts_at=start, ends_at=start + 90 * DAY
    )


def missed_yesterday(person, owner):
    meeting = make_appointment(person, owner, starts_in=-DAY)
    meeting.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    return meeting


@time_machine.travel(NOW, tick=False)
def test_an_apology_of_a_host_on_a_trip_offers_no_dates_inside_the_trip(
    host, owner, person, trip
):
    meeting = missed_yesterday(person, owner)
    draft = make_draft("apology", person, owner, host.zone, obligation=meeting)
    inside = [t for t in draft.next_step.times if trip.starts_at <= t < trip.ends_at]
    assert inside == []
    # Nobody stands in and the host is away beyond the horizon: no dates rather than false ones.
    assert not draft.next_step and "/p/" not in draft.body


@time_machine.travel(NOW, tick=False)
def test_while_the_host_is_away_the_dates_are_the_backups(
    host, owner, person, trip, colleague
):
    backup = colleague.memberships.get()
    host.backup = backup
    host.save()
    Availability.objects.create(membership=backup, weekly_hours={"2": [["13:00", "17:00"]]})
    meeting = missed_yesterday(person, owner)
    draft = make_draft("apology", person, owner, host.zone, obligation=meeting)
    times = draft.next_step.times
    assert len(times) == 3 and draft.next_step.host == backup.pk
    # Wednesdays, 13:00–17:00 in Amsterdam: the backup's week, not the absent host's.
    assert {t.astimezone(backup.zone).weekday() for t in times} == {2}
    assert all(13 <= t.astimezone(backup.zone).hour < 17 for t in times)


def test_an_offer_is_limited_in_the_domain_whoever_asks(host, person):
    with pytest.raises(OfferInvalid, match="between 1 and 10"):
        offer(host, person, count=50)
    with pytest.raises(OfferInvalid, match="at most a year"):
        offer(host, person, within=timedelta(days=4000))
    with pytest.raises(OfferInvalid, match="5 minutes and 8 hours"):
        offer(host, person, duration=timedelta(hours=12))
    assert not ProposedSlot.objects.exists()


def test_the_api_answers_a_refusal_with_its_code(api, host, person):
    proposal, _raw = propose(host, person, "Coffee", [timezone.now() + 3 * DAY], timedelta(hours=1))
    assert api.post(f"/api/v1/proposals/{proposal.pk}/withdraw").status_code == 200
    again = api.post(f"/api/v1/proposals/{proposal.pk}/withdraw")
    assert again.status_code == 409
    assert again.json() == {"message": "This offer is no longer open.", "code": "booking"}
    too_many = api.post("/api/v1/proposals", {"person_id": person.pk, "count": 10, "within_days": 0})
    assert too_many.status_code == 422  # the schema's own limit, before the domain's


def test_the_cli_refuses_an_offer_over_the_limit_in_one_line(person, owner, capsys):
    with pytest.raises(CommandError, match="Offer between 1 and 10 times") as caught:
        call_command("propose", person.email, "--count", "11")
    assert caught.value.returncode == 2


def test_a_file_over_the_upload_limit_is_refused_by_the_cli_with_the_limit(
    owner, tmp_path, settings
):
    huge = tmp_path / "contacts.vcf"
    with huge.open("wb") as file:
        file.truncate(200_000_000)  # 200 MB on paper, nothing on disk: it is never read
    with pytest.raises(CommandError) as caught:
        call_command("import", str(huge))
    assert str(caught.value) == (
        "contacts.vcf is 200 MB; Verbind reads files of at most 20 MB."
    )
    assert caught.value.returncode == 2
    settings.MAX_UPLOAD_MB = 300
    with pytest.raises(CommandError, match="contacts.vcf") as caught:
        call_command("calendar", "add", str(huge))  # read now: an empty file is no calendar
    assert "at most" not in str(caught.value)


def test_the_web_and_the_api_refuse_a_big_file_with_the_same_words(web, api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MAX_UPLOAD_MB = 0  # every file is too big: no need to send megabytes
    file = SimpleUploadedFile("week.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    page = web.post("/calendars/", {"upload": "1", "file": file, "name": "Week"}).content.decode()
    assert "week.ics is 0 MB; Verbind reads files of at most 0 MB." in page
    file.seek(0)
    answer = api.client.post(
        "/api/v1/calendars/upload", {"file": file}, headers=api.headers
    )
    assert answer.status_code == 422
    assert answer.json()["message"] == "week.ics is 0 MB; Verbind reads files of at most 0 MB."


def test_an_action_address_opened_in_the_browser_is_a_page_not_a_bare_405(web, person):
    answer = web.get(f"/appointments/{person.pk}/transition/")
    assert answer.status_code == 405 and "use the button" in answer.content.decode()
    assert answer["Allow"] == "POST"


def test_people_added_through_the_api_write_in_the_members_language(api, owner):
    owner.memberships.update(language="en")
    made = api.post("/api/v1/people", {"name": "Ann Smith"}).json()
    assert made["language"] == "en"
    dutch = api.post("/api/v1/people", {"name": "Jan", "language": "nl"}).json()
    assert dutch["language"] == "nl"


def test_the_api_answers_a_time_as_stored_whatever_offset_it_was_sent_with(api, person):
    sent = api.post(
        "/api/v1/promises",
        {"what": "Call back", "person_id": person.pk, "due_at": "2030-06-01T10:00:00+02:00"},
    ).json()
    again = api.get(f"/api/v1/promises/{sent['id']}").json()
    assert sent["due_at"] == again["due_at"]


def test_the_schema_names_the_appointment_and_promise_transitions_apart(api):
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "AppointmentTransitionIn" in schemas and "PromiseTransitionIn" in schemas
    assert "held" in str(schemas["AppointmentTransitionIn"]) or "AppointmentStatus" in str(
        schemas["AppointmentTransitionIn"]
    )


def test_a_time_to_repair_under_an_hour_reads_in_minutes():
    from verbind.web.templatetags.durations import hours_as_words

    assert [hours_as_words(h) for h in (0.004, 0.4, 3.5, 24, 72, None)] == [
        "1 minute",
        "24 minutes",
        "3.5 h",
        "24 h",
        "3 days",
        "–",
    ]
