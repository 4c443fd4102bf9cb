"""Times are stored in UTC and typed and shown in the member's zone, also around DST changes."""

from __future__ import annotations

from django.urls import reverse

from verbind.obligations.models import Appointment


def add(web, person, owner, local_time: str) -> Appointment:
    web.post(
        reverse("person_action", args=[person.pk, "appointment"]),
        {
            "title": f"Meeting {local_time}",
            "starts_at": local_time,
            "duration": "60",
            "owner": owner.pk,
            "status": "confirmed",
        },
    )
    return Appointment.objects.get(title=f"Meeting {local_time}")


def test_a_time_typed_in_amsterdam_is_stored_in_utc_on_both_sides_of_the_dst_changes(
    web, person, owner
):
    # Summer time starts on Sunday 29 March 2026 at 02:00 and ends on 25 October 2026 at 03:00.
    cases = {
        "2026-03-28T10:00": "2026-03-28T09:00:00+00:00",
        "2026-03-29T10:00": "2026-03-29T08:00:00+00:00",
        "2026-10-24T10:00": "2026-10-24T08:00:00+00:00",
        "2026-10-25T10:00": "2026-10-25T09:00:00+00:00",
    }
    for local, utc in cases.items():
        assert add(web, person, owner, local).starts_at.isoformat() == utc


def test_the_timeline_shows_the_members_own_zone(web, person, owner):
    add(web, person, owner, "2026-10-25T10:00")
    assert "10:00–11:00" in web.get(reverse("person", args=[person.pk])).content.decode()
    membership = owner.memberships.get()
    membership.time_zone = "Europe/London"
    membership.save()
    assert "09:00–10:00" in web.get(reverse("person", args=[person.pk])).content.decode()


def you(**changes) -> dict:
    """The whole "You" form of Settings, as a browser sends it."""
    return {
        "first_name": "Olga",
        "last_name": "Owner",
        "time_zone": "Europe/Amsterdam",
        "language": "en",
        "digest_hour": "8",
        "wants_digest": "on",
        "save_zone": "1",
        **changes,
    }


def test_an_unknown_time_zone_is_refused_in_settings(web, owner):
    response = web.post(reverse("settings"), you(time_zone="Mars/Olympus"))
    assert "“Mars/Olympus” is not a time zone we know." in response.content.decode()
    assert owner.memberships.get().time_zone == "Europe/Amsterdam"


def test_a_member_picks_their_zone_in_settings(web, owner):
    web.post(reverse("settings"), you(time_zone="America/New_York"))
    assert owner.memberships.get().time_zone == "America/New_York"


def test_a_zone_is_found_by_the_city_people_type(web, owner):
    web.post(reverse("settings"), you(time_zone="new york"))
    assert owner.memberships.get().time_zone == "America/New_York"
    web.post(reverse("settings"), you(time_zone="Amsterdam"))
    assert owner.memberships.get().time_zone == "Europe/Amsterdam"
