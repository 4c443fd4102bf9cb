"""Free times from the working week, offers on a private link, and booking the one they pick."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Interaction
from verbind.scheduling.models import Availability, Proposal
from verbind.scheduling.proposals import BookingRefused, book, find, offer, propose
from verbind.scheduling.slots import free_slots

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


def local(moments):
    return [m.astimezone(AMS).strftime("%a %H:%M") for m in moments]


def test_three_times_on_different_days_mornings_and_afternoons(host):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)  # a Tuesday
    slots = free_slots(host, HOUR, now=now)
    assert local(slots) == ["Wed 10:00", "Thu 14:00", "Fri 11:00"]  # 24 h notice: not today


def test_weekends_busy_times_buffers_and_open_offers_are_avoided(host, person, owner):
    now = datetime(2026, 12, 3, 9, 0, tzinfo=AMS)  # Thursday
    with time_machine.travel(now, tick=False):
        meeting = make_appointment(
            person, owner, starts_in=timedelta(days=1, hours=1)
        )  # Fri 10:00-11:00
    slots = free_slots(host, HOUR, now=now)
    assert local(slots)[0] == "Fri 11:30"  # after the meeting and its 15-minute buffer
    assert all(s.astimezone(AMS).weekday() < 5 for s in slots)
    with time_machine.travel(now, tick=False):
        propose(host, person, "Coffee", slots, HOUR)
        again = free_slots(host, HOUR, now=now)
    assert not set(again) & set(slots)  # what is on offer is held
    assert meeting.starts_at not in again


@pytest.mark.parametrize(
    "week_before, week_after, offsets",
    [
        # The last Sunday of October: summer time ends (UTC+2 → UTC+1).
        (datetime(2026, 10, 18, 12, tzinfo=AMS), datetime(2026, 10, 25, 12, tzinfo=AMS), (2, 1)),
        # The last Sunday of March: summer time starts (UTC+1 → UTC+2).
        (datetime(2027, 3, 21, 12, tzinfo=AMS), datetime(2027, 3, 28, 12, tzinfo=AMS), (1, 2)),
    ],
)
def test_working_hours_follow_the_member_across_the_dst_change(
    host, week_before, week_after, offsets
):
    Availability.objects.create(
        membership=host, weekly_hours={"0": [["09:00", "12:00"]]}, notice_hours=0
    )
    before = free_slots(host, HOUR, timedelta(days=2), count=1, now=week_before)
    after = free_slots(host, HOUR, timedelta(days=2), count=1, now=week_after)
    assert local(before) == local(after) == ["Mon 10:00"]  # the same wall-clock hour …
    # … an hour apart in UTC
    assert (before[0].astimezone(AMS).utcoffset(), after[0].astimezone(AMS).utcoffset()) == (
        offsets[0] * HOUR,
        offsets[1] * HOUR,
    )


def test_an_offer_made_before_the_change_shows_the_right_hours_after_it(host, person):
    """Offered on Friday in summer time, the Monday times are in winter time — still 10:00."""
    with time_machine.travel(datetime(2026, 10, 23, 12, tzinfo=AMS), tick=False):
        Availability.objects.create(
            membership=host, weekly_hours={"0": [["10:00", "11:00"]]}, notice_hours=0
        )
        starts = free_slots(host, HOUR, timedelta(days=4), count=1)
        assert local(starts) == ["Mon 10:00"] and starts[0].astimezone(AMS).utcoffset() == HOUR
        _proposal, raw = propose(host, person, "Koffie", starts, HOUR)
        page = Client().get(f"/p/{raw}/").content.decode()
        assert "10:00–11:00" in page


def test_the_link_is_unguessable_stored_hashed_and_expires(host, person):
    proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    assert len(raw) >= 32 and raw not in proposal.token_hash
    assert find(raw) == proposal and find(raw + "x") is None and find("") is None
    assert proposal.expires_at - proposal.created_at == timedelta(days=14)
    with time_machine.travel(proposal.expires_at, tick=False):
        assert not find(raw).is_open


def test_picking_books_the_meeting_and_links_the_failed_one(host, person, owner):
    failed = make_appointment(person, owner, starts_in=-HOUR)
    failed.transition(AppointmentStatus.MISSED_BY_US)
    proposal, _raw = propose(
        host, person, "Coffee, second try", free_slots(host, HOUR), HOUR, replaces=failed
    )
    slot = proposal.slots.all()[1]
    meeting = book(proposal, slot.pk)
    assert (meeting.starts_at, meeting.status, meeting.owner) == (
        slot.starts_at,
        "confirmed",
        owner,
    )
    failed.refresh_from_db()
    assert (
        failed.status == AppointmentStatus.MISSED_BY_US and failed.successor == meeting
    )  # stays failed
    assert Interaction.objects.filter(person=person, direction="inbound").exists()
    with pytest.raises(BookingRefused, match="no longer open"):
        book(Proposal.objects.get(pk=proposal.pk), proposal.slots.all()[0].pk)


def test_of_two_people_picking_the_same_hour_one_wins(host, person, workspace, owner):
    from verbind.people.models import Person

    other = Person.objects.create(workspace=workspace, name="Linda Bakker")
    starts = free_slots(host, HOUR)
    first, _ = propose(host, person, "Coffee", starts[:1], HOUR)
    # A second offer of the same hour (sent before the first was held, say).
    second, _ = propose(host, other, "Lunch", starts[:1], HOUR)
    book(first, first.slots.get().pk)
    with pytest.raises(BookingRefused, match="Someone else just took that time"):
        book(second, second.slots.get().pk)
    assert Appointment.objects.filter(owner=owner).count() == 1


def test_the_public_page_speaks_their_language_and_books(host, person):
    person.language = "nl"
    person.save()
    proposal, raw = propose(host, person, "Koffie", free_slots(host, HOUR), HOUR)
    client = Client()
    page = client.get(f"/p/{raw}/").content.decode()
    assert 'lang="nl"' in page and "Koffie" in page
    slot = proposal.slots.all()[0]
    done = client.post(f"/p/{raw}/", {"slot": slot.pk, "book": "1"})
    assert done.status_code == 200
    assert Appointment.objects.get(person=person).starts_at == slot.starts_at
    again = client.get(f"/p/{raw}/")
    assert (
        again.status_code == 200 and Appointment.objects.count() == 1
    )  # shows the booking, books nothing


def test_an_expired_or_unknown_link_gets_a_friendly_page(host, person):
    proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - HOUR)
    expired = Client().get(f"/p/{raw}/")
    assert expired.status_code == 410 and "verlopen" in expired.content.decode()  # Hans reads Dutch
    assert Client().get("/p/not-a-token/").status_code == 404


def test_none_of_these_suit_me_reaches_the_timeline_and_the_agenda(host, person):
    from verbind.obligations.models import Promise

    host.language = "en"
    host.save()
    _proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    page = Client().get(f"/p/{raw}/").content.decode()
    assert "Ochtenden" in page  # Hans reads Dutch
    Client().post(f"/p/{raw}/", {"decline": "1", "prefer": "mornings", "note": "Not on Fridays"})
    note = Interaction.objects.get(person=person, direction="inbound").notes
    assert note == "None of the offered times suit them. Mornings suit them better. Not on Fridays"
    assert Proposal.objects.get().state == "declined"
    [owed] = Promise.objects.filter(person=person)  # new dates are owed by tomorrow
    assert owed.what == "Send Hans Verbeek new dates for ‘Coffee’" and owed.owner == host.user


def test_verbind_propose_prints_the_link_and_times(host, person, owner, capsys):
    call_command("propose", person.email, "--member", owner.email, "--json", "--count", "2")
    out = json.loads(capsys.readouterr().out)
    assert out["link"].startswith("http://localhost:8000/p/") and len(out["slots"]) == 2


def test_an_apology_with_times_carries_a_link_that_books_the_new_meeting(smtp, host, person, owner):
    from verbind.followthrough import actions
    from verbind.followthrough.models import Repair
    from verbind.messaging import outbox
    from verbind.worker.loop import Worker

    failed = make_appointment(person, owner, starts_in=-HOUR, title="Coffee at his office")
    failed.transition(AppointmentStatus.MISSED_BY_US)
    item = actions.find_item(host, f"repair:appointment:{failed.pk}")
    message = actions.draft(host, item)
    outbox.send(message, by=owner)
    Worker().run_pass()
    [mail] = smtp.messages
    text = mail.get_content()
    assert "Kies hier het moment dat jou het best past: http://localhost:8000/p/" in text
    raw = text.split("/p/")[1].split("/")[0]
    proposal = find(raw)
    assert proposal.replaces == failed and proposal.slots.count() == 3
    assert Repair.objects.get().state == "closed"  # apology and a concrete next step went out
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.all()[0].pk, "book": "1"})
    failed.refresh_from_db()
    assert failed.successor.starts_at == proposal.slots.all()[0].starts_at
    assert failed.status == AppointmentStatus.MISSED_BY_US


def test_an_expired_link_lets_them_ask_for_new_dates_which_lands_on_the_agenda(host, person):
    from verbind.followthrough.agenda import agenda_for

    proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    Proposal.objects.filter(pk=proposal.pk).update(expires_at=timezone.now() - HOUR)
    asked = Client().post(f"/p/{raw}/", {"ask_again": "1", "note": "Mornings, please"})
    assert asked.status_code == 200 and "nieuwe datums" in asked.content.decode()
    Client().post(f"/p/{raw}/", {"ask_again": "1", "note": "Mornings, please"})
    Client().post(f"/p/{raw}/", {"ask_again": "1", "note": "Mornings, please"})
    assert Interaction.objects.filter(notes__contains="Mornings, please").count() == 1
    [item] = [
        i for i in agenda_for(host, timezone.now() + 2 * timedelta(days=1)) if i.person == person
    ]
    assert "Send Hans Verbeek new dates for ‘Coffee’" in str(item.obligation)
    assert Interaction.objects.filter(notes__contains="Mornings, please").exists()


def test_times_are_shown_in_the_relations_own_zone(host, person):
    person.time_zone, person.language = "America/New_York", "en"
    person.save()
    when = datetime(2026, 12, 2, 15, 0, tzinfo=AMS)  # 15:00 in Amsterdam is 09:00 in New York
    _proposal, raw = propose(host, person, "Call", [when], HOUR)
    page = Client().get(f"/p/{raw}/").content.decode()
    assert "Times in America/New_York" in page
    assert "09:00–10:00" in page and "15:00" not in page


def test_with_a_co_host_every_time_suits_both(host, colleague, workspace):
    partner = colleague.memberships.get()
    # The colleague works mornings only, and is booked Thursday morning.
    Availability.objects.create(
        membership=partner, weekly_hours={str(d): [["08:00", "12:00"]] for d in range(5)}
    )
    now = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)  # a Tuesday
    from verbind.obligations.models import Appointment as Meeting
    from verbind.people.models import Person

    someone = Person.objects.create(workspace=workspace, name="Joost")
    Meeting.objects.create(
        workspace=workspace,
        owner=colleague,
        person=someone,
        title="Busy",
        starts_at=datetime(2026, 12, 3, 8, 0, tzinfo=AMS),
        ends_at=datetime(2026, 12, 3, 12, 0, tzinfo=AMS),
    )
    slots = free_slots(host, HOUR, now=now, co_host=partner)
    assert local(slots) == ["Wed 10:00", "Fri 11:00", "Mon 11:00"]
    assert all(s.astimezone(AMS).hour < 12 for s in slots)


@pytest.mark.parametrize(
    "host_language, relation_language, note",
    [
        ("en", "nl", "Picked a new time from the link: Coffee"),
        ("nl", "en", "Nieuw tijdstip gekozen via de link: Coffee"),
    ],
)
def test_the_timeline_note_is_in_the_hosts_language_not_the_relations(
    host, person, host_language, relation_language, note
):
    host.language = host_language
    host.save()
    person.language = relation_language
    person.save()
    proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk})
    assert Interaction.objects.get(direction="inbound").notes == note


def test_a_draft_for_someone_abroad_gives_the_times_in_their_zone(host, person, owner):
    from verbind.followthrough.drafts import make_draft

    person.time_zone, person.language = "Europe/London", "en"
    person.save()
    meeting = make_appointment(person, owner, starts_in=-HOUR)
    meeting.transition(AppointmentStatus.CANCELLED_BY_THEM)
    draft = make_draft("new_dates", person, owner, AMS, obligation=meeting)
    times = draft.next_step.times
    theirs = {f"{t.astimezone(ZoneInfo('Europe/London')):%H:%M}" for t in times}
    ours = {f"{t.astimezone(AMS):%H:%M}" for t in times}
    assert all(f", {hhmm}" in draft.body for hhmm in theirs)  # an hour earlier than ours
    assert not any(f", {hhmm}" in draft.body for hhmm in ours - theirs)
    assert "(Times in Europe/London.)" in draft.body


def test_someone_abroad_is_offered_times_in_their_daytime(host, person):
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
    slots = free_slots(host, HOUR, now=now, guest_zone=new_york)
    assert len(slots) == 3
    for start in slots:  # 09:00–17:00 in Amsterdam and 08:00–20:00 in New York meet at 14:00–17:00
        assert start.astimezone(AMS).hour >= 14 and (start + HOUR).astimezone(AMS).hour <= 17
        assert 8 <= start.astimezone(new_york).hour < 12
    person.time_zone = "America/New_York"
    person.save()
    proposal, raw = offer(host, person)
    assert all(s.starts_at.astimezone(new_york).hour >= 8 for s in proposal.slots.all())
    slot = proposal.slots.first()
    booked = Client().post(f"/p/{raw}/", {"slot": slot.pk}).content.decode()
    assert "(America/New_York)" in booked  # the confirmation says whose clock it is


def test_the_person_page_offers_times_in_a_message_to_send(web, host, person, owner):
    from verbind.messaging.models import OutboxMessage

    page = web.get(f"/people/{person.pk}/").content.decode()
    assert "Offer times" in page and "Afspraak met Hans Verbeek" in page  # his language
    response = web.post(
        f"/people/{person.pk}/offer/",
        {"title": "Koffie", "duration": 45, "within": 14, "count": 3, "place": "Gouda"},
    )
    message = OutboxMessage.objects.get(purpose="offer")
    assert response["Location"] == f"/outbox/{message.pk}/"
    assert message.subject == "Koffie: welk moment past jou?"
    proposal = Proposal.objects.get()
    assert proposal.slots.count() == 3 and proposal.duration_minutes == 45
    link = message.body.split("http://localhost:8000")[1].split()[0]
    assert Client().get(link).status_code == 200
    form = web.get(f"/outbox/{message.pk}/").context["form"]
    assert "time_1" not in form.fields  # the times are held on the link, not edited here
    web.post(
        f"/outbox/{message.pk}/",
        {
            "channel": "email",
            "subject": "Koffie?",
            "body": message.body + "\nTot gauw!",
            "send": "1",
        },
    )
    message.refresh_from_db()
    assert message.body.count("/p/") == 1 and message.next_step.proposal == proposal.pk
    assert Proposal.objects.count() == 1  # editing and sending add no second offer
    htmx = web.post(
        f"/people/{person.pk}/offer/",
        {"title": "Lunch", "duration": 60, "within": 7, "count": 2},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith("/outbox/")


def test_a_time_that_has_passed_cannot_be_booked_and_is_not_shown(host, person):
    soon = timezone.now() + HOUR
    later = timezone.now() + 3 * timedelta(days=1)
    proposal, raw = propose(host, person, "Coffee", [soon, later], HOUR)
    past, future = proposal.slots.order_by("starts_at")
    with time_machine.travel(soon + HOUR, tick=False):
        page = Client().get(f"/p/{raw}/")
        assert [s.pk for s in page.context["slots"]] == [future.pk]
        with pytest.raises(BookingRefused, match="That time has passed"):
            book(proposal, past.pk)
    with time_machine.travel(later + HOUR, tick=False):
        assert Client().get(f"/p/{raw}/").status_code == 410  # nothing left to pick


def test_a_meeting_held_meanwhile_stays_held(host, person, owner):
    held = make_appointment(person, owner, starts_in=-HOUR)
    proposal, raw = propose(host, person, "Again", free_slots(host, HOUR), HOUR, replaces=held)
    held.transition(AppointmentStatus.HELD)
    Client().post(f"/p/{raw}/", {"slot": proposal.slots.first().pk})
    held.refresh_from_db()
    assert held.status == AppointmentStatus.HELD and held.successor is None


@pytest.mark.parametrize("slot", ["²", "9" * 5000, "-1"])
def test_nonsense_slots_are_refused_kindly(host, person, slot):
    _proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    page = Client().post(f"/p/{raw}/", {"slot": slot})
    assert page.status_code == 200 and "niet bij dit voorstel" in page.content.decode()


def test_booking_without_picking_a_time_asks_for_one(host, person):
    _proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    page = Client().post(f"/p/{raw}/", {"slot": "", "book": "1"})
    assert page.status_code == 200 and "Kies eerst een van de momenten." in page.content.decode()


def test_a_second_click_on_book_shows_the_booking(host, person):
    proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    slot = proposal.slots.first().pk
    Client().post(f"/p/{raw}/", {"slot": slot})
    again = Client().post(f"/p/{raw}/", {"slot": slot})
    assert again.status_code == 200 and "Tot dan!" in again.content.decode()
    assert Appointment.objects.count() == 1


def test_a_co_hosted_meeting_and_offer_keep_the_co_host_busy(host, colleague, person, workspace):
    from verbind.people.models import Person

    partner = colleague.memberships.get()
    now = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
    with time_machine.travel(now, tick=False):
        first = free_slots(host, HOUR, count=1)
        proposal, raw = propose(host, person, "Together", first, HOUR, co_host=partner)
        # While on offer, the co-host's own free times avoid it …
        assert first[0] not in free_slots(partner, HOUR, count=10)
        Client().post(f"/p/{raw}/", {"slot": proposal.slots.get().pk})
        # … and once booked, too; nor can anyone book the co-host for it.
        assert first[0] not in free_slots(partner, HOUR, count=10)
        other = Person.objects.create(workspace=workspace, name="Linda Bakker")
        theirs, _raw = propose(partner, other, "Clash", first, HOUR)
        with pytest.raises(BookingRefused, match="Someone else just took that time"):
            book(theirs, theirs.slots.get().pk)
