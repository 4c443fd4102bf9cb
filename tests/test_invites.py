"""Calendar invites as mail clients accept them: raw MIME read from a real SMTP server."""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
import pytest
from django.test import Client

from tests.conftest import make_appointment
from verbind.followthrough.models import ClosedBecause, Repair
from verbind.messaging.models import OutboxMessage, State
from verbind.obligations.models import AppointmentStatus
from verbind.scheduling.proposals import propose
from verbind.scheduling.slots import free_slots
from verbind.worker.loop import Worker

HOUR = timedelta(hours=1)


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


def calendar_part(mail):
    """The text/calendar part, which must sit inside multipart/alternative beside text and HTML."""
    assert mail.get_content_type() == "multipart/alternative", mail.get_content_type()
    types = [part.get_content_type() for part in mail.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    part = list(mail.iter_parts())[2]
    return part, icalendar.Calendar.from_ical(part.get_content())


def book_by_link(host, person, replaces=None):
    starts = free_slots(host, HOUR)
    proposal, raw = propose(
        host, person, "Site visit", starts, HOUR, place="Dorpsstraat 4, Gouda", replaces=replaces
    )
    slot = proposal.slots.first()
    response = Client().post(f"/p/{raw}/", {"slot": slot.pk})
    assert response.status_code == 200
    proposal.refresh_from_db()
    return proposal.booked, slot


def test_booking_sends_both_sides_a_request_they_can_accept(smtp, host, person, owner):
    meeting, slot = book_by_link(host, person)
    Worker().run_pass()
    [theirs] = smtp.to(person.email)
    [ours] = smtp.to(owner.email)
    assert "Bevestigd: Site visit" in theirs["Subject"]  # the relation's language (Dutch)
    part, calendar = calendar_part(theirs)
    assert part.get_param("method") == "REQUEST" == calendar["METHOD"]
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == meeting.ical_uid and "@" in str(event["UID"])
    assert str(event["UID"]) not in OutboxMessage.objects.get(to_address=person.email).body
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == slot.starts_at.astimezone(UTC)
    assert f"DTSTART:{slot.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}" in part.get_content()
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]) == f"mailto:{owner.email}"
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert "VALARM" not in part.get_content()
    assert str(event["LOCATION"]) == "Dorpsstraat 4, Gouda"
    _part, host_calendar = calendar_part(ours)
    assert host_calendar.walk("VEVENT")[0]["UID"] == event["UID"]
    # The text part says it in words, too.
    assert "Site visit" in list(theirs.iter_parts())[0].get_content()


def test_cancelling_a_booked_meeting_sends_cancel_with_a_higher_sequence(smtp, host, person):
    meeting, _slot = book_by_link(host, person)
    Worker().run_pass()
    meeting.transition(AppointmentStatus.CANCELLED_BY_THEM)
    Worker().run_pass()
    first, second = smtp.to(person.email)
    part, calendar = calendar_part(second)
    assert part.get_param("method") == "CANCEL" == calendar["METHOD"]
    [event] = calendar.walk("VEVENT")
    assert event["UID"] == calendar_part(first)[1].walk("VEVENT")[0]["UID"]
    assert event["SEQUENCE"] == 1
    assert event["STATUS"] == "CANCELLED"


def test_a_meeting_never_invited_is_not_cancelled_by_mail(smtp, appointment):
    appointment.transition(AppointmentStatus.CANCELLED_BY_THEM)
    Worker().run_pass()
    assert smtp.messages == []


def test_without_smtp_the_invites_wait_in_the_outbox_with_the_ics_to_attach(
    host, person, web, outsider_web
):
    book_by_link(host, person)
    waiting = OutboxMessage.objects.filter(state=State.READY)
    # One for the relation; the host's own copy is in their calendar feed, not a mail to self.
    assert [(m.purpose, m.person) for m in waiting] == [("invite", person)]
    assert all("METHOD:REQUEST" in m.calendar for m in waiting)
    theirs = waiting.get(person=person)
    assert "zit erbij" not in theirs.body  # nothing is attached until the member attaches it
    page = web.get(f"/outbox/{theirs.pk}/").content.decode()
    assert "Download the invite (.ics) to attach" in page
    download = web.get(f"/outbox/{theirs.pk}/invite.ics")
    assert download["Content-Type"].startswith("text/calendar")
    assert icalendar.Calendar.from_ical(download.content)["METHOD"] == "REQUEST"
    assert outsider_web.get(f"/outbox/{theirs.pk}/invite.ics").status_code == 404


def test_picking_a_new_time_closes_the_repair_it_came_from(host, person, owner):
    failed = make_appointment(person, owner, starts_in=-HOUR)
    failed.transition(AppointmentStatus.MISSED_BY_US)
    repair = Repair.objects.get()
    assert repair.state == "open"
    meeting, _slot = book_by_link(host, person, replaces=failed)
    repair.refresh_from_db()
    assert repair.state == "closed" and repair.closed_because == ClosedBecause.BOOKED
    failed.refresh_from_db()
    assert failed.status == AppointmentStatus.MISSED_BY_US and failed.successor == meeting


def test_moving_an_invited_meeting_updates_the_same_event_in_calendars(smtp, host, person, owner):
    meeting, _slot = book_by_link(host, person)
    Worker().run_pass()
    later = meeting.starts_at + timedelta(days=2)
    successor = meeting.reschedule(later, by=owner)
    Worker().run_pass()
    first, update = sorted(
        smtp.to(person.email), key=lambda m: calendar_part(m)[1].walk("VEVENT")[0]["SEQUENCE"]
    )
    _part, calendar = calendar_part(update)
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == meeting.ical_uid == successor.ical_uid  # the same event, moved
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == later.astimezone(UTC).replace(microsecond=0)
    assert not [m for m in smtp.messages if "CANCEL" in str(m)]


def test_offering_new_times_for_an_invited_meeting_moves_it_once(smtp, host, person, owner):
    meeting, _slot = book_by_link(host, person)
    again, _new_slot = book_by_link(host, person, replaces=meeting)
    Worker().run_pass()
    requests = smtp.to(person.email)
    assert len(requests) == 2  # the first booking, then one update — no duplicate
    # Mail is sent over several connections at once: the order it arrives in may differ.
    events = [calendar_part(mail)[1].walk("VEVENT")[0] for mail in requests]
    assert {str(e["UID"]) for e in events} == {meeting.ical_uid}
    assert sorted(e["SEQUENCE"] for e in events) == [0, 1]


def test_a_co_host_is_invited_too(smtp, host, person, owner, colleague):
    from verbind.scheduling.proposals import offer

    proposal, raw = offer(host, person, co_host=colleague.memberships.get(), place="Gouda")
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk})
    Worker().run_pass()
    [theirs] = smtp.to(person.email)
    [partner] = smtp.to(colleague.email)
    _part, calendar = calendar_part(theirs)
    [event] = calendar.walk("VEVENT")
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == sorted([f"mailto:{person.email}", f"mailto:{colleague.email}"])
    assert calendar_part(partner)[1].walk("VEVENT")[0]["UID"] == event["UID"]


def test_a_moved_co_hosted_meeting_still_reaches_the_co_host(smtp, host, person, owner, colleague):
    from verbind.scheduling.proposals import offer

    proposal, raw = offer(host, person, co_host=colleague.memberships.get())
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk})
    proposal.refresh_from_db()
    proposal.booked.reschedule(proposal.booked.starts_at + timedelta(days=1), by=owner)
    Worker().run_pass()
    sequences = sorted(
        calendar_part(m)[1].walk("VEVENT")[0]["SEQUENCE"] for m in smtp.to(colleague.email)
    )
    assert sequences == [0, 1]  # the booking, and the move


def test_handing_over_takes_it_out_of_the_absent_hosts_calendar(
    smtp, host, person, owner, colleague, workspace
):
    from verbind.followthrough.absences import hand_to_backup
    from verbind.scheduling.models import Absence

    meeting, _slot = book_by_link(host, person)
    Worker().run_pass()
    host.backup = colleague.memberships.get()
    host.save()
    Absence.objects.create(
        workspace=workspace,
        membership=host,
        starts_at=meeting.starts_at - timedelta(hours=2),
        ends_at=meeting.ends_at + timedelta(hours=2),
    )
    hand_to_backup(host)
    Worker().run_pass()

    def invites(address, method):
        with_calendar = [m for m in smtp.to(address) if m.get_content_type() != "text/plain"]
        return [m for m in with_calendar if calendar_part(m)[1]["METHOD"] == method]

    cancels, requests = invites(owner.email, "CANCEL"), invites(colleague.email, "REQUEST")
    assert len(cancels) == 1 and len(requests) == 1
    [event] = calendar_part(requests[0])[1].walk("VEVENT")
    assert (
        str(event["ORGANIZER"]) == f"mailto:{colleague.email}" and event["UID"] == meeting.ical_uid
    )
