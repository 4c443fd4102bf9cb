"""The private link page next to the best schedulers: who invites, what and where, their zone,
nothing chosen for them, a confirmation to keep, and a way to change or cancel."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Interaction
from verbind.scheduling.models import Proposal
from verbind.scheduling.proposals import find, propose
from verbind.scheduling.slots import free_slots
from verbind.web.forms import zone_choices

HOUR = timedelta(hours=1)


def offered(owner, person, **extra):
    host = owner.memberships.get()
    return propose(
        host,
        person,
        "Coffee at De Ruif",
        free_slots(host, HOUR),
        HOUR,
        place="De Ruif, Utrecht",
        **extra,
    )


def test_the_page_names_who_invites_what_where_and_how_long_and_chooses_nothing(owner, person):
    _proposal, raw = offered(owner, person)
    page = Client().get(f"/p/{raw}/").content.decode()
    assert "Olga Owner · Olga&#x27;s network" in page
    assert "60 minuten" in page and "De Ruif, Utrecht" in page
    assert "checked" not in page.split('class="slots"')[1].split("</fieldset>")[0]


def test_the_visitor_switches_the_zone_of_the_times(owner, person):
    proposal, raw = offered(owner, person)
    first = proposal.slots.order_by("starts_at").first().starts_at
    page = Client().get(f"/p/{raw}/", {"zone": "America/New_York"}).content.decode()
    there = first.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{there:%H:%M}–" in page and 'value="America/New_York"' in page
    nonsense = Client().get(f"/p/{raw}/", {"zone": "Mars/Olympus"})
    assert nonsense.status_code == 200  # their own zone then, no error page


def test_the_confirmation_has_the_place_and_puts_it_in_their_calendar(owner, person):
    proposal, raw = offered(owner, person)
    slot = proposal.slots.first()
    page = Client().post(f"/p/{raw}/", {"slot": slot.pk, "book": "1"}).content.decode()
    assert "De Ruif, Utrecht" in page
    assert f"/p/{raw}/meeting.ics" in page and "calendar.google.com" in page
    assert "outlook.live.com" in page
    ics = Client().get(f"/p/{raw}/meeting.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert (
        b"SUMMARY:Coffee at De Ruif" in ics.content
        and b"LOCATION:De Ruif\\, Utrecht" in ics.content
    )


def test_changing_from_the_confirmation_offers_fresh_times_and_tells_the_host(owner, person):
    proposal, raw = offered(owner, person)
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk, "book": "1"})
    booked = Appointment.objects.get(title="Coffee at De Ruif")
    moved = Client().post(f"/p/{raw}/", {"change": "1"})
    assert moved.status_code == 302
    fresh = find(moved["Location"].rstrip("/").rsplit("/", 1)[1])
    assert fresh.replaces == booked and fresh.is_open and fresh.slots.count() == 3
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED_BY_THEM
    assert Interaction.objects.filter(
        person=person, notes__startswith="Asked for another time for “Coffee at De Ruif”"
    ).exists()


def test_cancelling_from_the_confirmation_tells_the_host(owner, person):
    proposal, raw = offered(owner, person)
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk, "book": "1"})
    page = Client().post(f"/p/{raw}/", {"cancel": "1", "note": "Ziek, sorry"}).content.decode()
    assert "weet dat je niet kunt komen" in page
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED_BY_THEM
    assert Interaction.objects.filter(notes__endswith="Ziek, sorry").exists()


def test_none_of_these_suit_me_asks_for_a_preference_before_declining(owner, person):
    proposal, raw = offered(owner, person)
    page = Client().post(f"/p/{raw}/", {"decline": "1", "prefer": "", "note": " "})
    assert "Laat Olga Owner weten wat je beter past" in page.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == "open"


def test_choosing_another_time_puts_no_second_to_do_on_the_hosts_agenda(owner, person):
    from verbind.followthrough.agenda import agenda_for

    proposal, raw = offered(owner, person)
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk, "book": "1"})
    moved = Client().post(f"/p/{raw}/", {"change": "1"})
    fresh_raw = moved["Location"].rstrip("/").rsplit("/", 1)[1]
    host = owner.memberships.get()
    assert [i for i in agenda_for(host) if i.person == person] == []  # the fresh offer waits
    Client().post(f"/p/{fresh_raw}/", {"decline": "1", "prefer": "evenings"})
    items = [i for i in agenda_for(host) if i.person == person]
    assert [i.rule for i in items] == ["promise_due_soon"]  # one thing to do: other dates


def test_the_zone_list_offers_every_zone_once_and_nothing_more(owner, person):
    _proposal, raw = offered(owner, person)
    page = Client().get(f"/p/{raw}/").content.decode()
    listed = page.split('<datalist id="zone-list">')[1].split("</datalist>")[0]
    expected = "".join(f'<option value="{zone}">' for zone, _label in zone_choices())
    assert listed == expected and '<option value="Europe/Amsterdam">' in listed


def test_a_member_opening_a_private_link_costs_no_lookup_of_their_workspace(web, owner, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _proposal, raw = offered(owner, person)
    with CaptureQueriesContext(connection) as queries:
        page = web.get(f"/p/{raw}/")
    assert page.status_code == 200 and "Coffee at De Ruif" in page.content.decode()
    read = {q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries}
    assert read == {"scheduling_proposal", "scheduling_proposedslot"}  # no session, user, member
    # A signed-in page still knows its member and workspace.
    with CaptureQueriesContext(connection) as queries:
        assert web.get("/people/").status_code == 200
    assert any("workspaces_membership" in q["sql"] for q in queries)
