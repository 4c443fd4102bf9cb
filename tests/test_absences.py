"""Absences entered by hand, the host's warning, and one click for every meeting affected."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.test import Client

from tests.conftest import make_appointment
from verbind.followthrough.absences import hand_to_backup, offer_new_dates
from verbind.followthrough.agenda import agenda_for
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.obligations.models import AppointmentStatus
from verbind.people.models import Person
from verbind.scheduling.absences import affected
from verbind.scheduling.models import Absence, CalendarFeed, ProposalState
from verbind.scheduling.slots import free_slots
from verbind.worker.loop import Worker

DAY = timedelta(days=1)


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


@pytest.fixture
def away(host, colleague):
    """Three weeks from now, a week of leave, with the colleague standing in."""
    start = (host_now() + 21 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    return Absence.objects.create(
        workspace=host.workspace,
        membership=host,
        starts_at=start,
        ends_at=start + 7 * DAY,
        backup=colleague.memberships.get(),
        note="Leave",
    )


def host_now():
    from django.utils import timezone

    return timezone.now()


def test_a_meeting_inside_a_manual_absence_is_on_the_agenda_and_mailed_once(
    smtp, host, person, owner, away
):
    meeting = make_appointment(person, owner, starts_in=23 * DAY, title="Showroom visit")
    make_appointment(person, owner, starts_in=30 * DAY, title="After the leave")
    [item] = [i for i in agenda_for(host) if i.rule == "absence_guard"]
    assert item.obligation == meeting
    Worker().run_pass()
    Worker().run_pass()
    [warning] = smtp.to(owner.email)
    assert "Showroom visit" in warning["Subject"]
    assert "Hans Verbeek" in warning.get_content()
    assert "/calendars/" in warning.get_content()


def test_free_times_avoid_a_manual_absence(host, away):
    starts = free_slots(host, timedelta(hours=1), within=35 * DAY, count=30)
    assert not any(away.starts_at <= s < away.ends_at for s in starts)
    # Every working day around it is offered: the week of leave is the only gap.
    assert any(s < away.starts_at for s in starts) and any(s >= away.ends_at for s in starts)
    assert len(starts) >= 15


def test_one_click_offers_new_dates_to_everyone_affected(host, person, owner, workspace, away):
    other = Person.objects.create(
        workspace=workspace, name="Ahmed Yilmaz", email="ahmed@example.org", language="en"
    )
    make_appointment(person, owner, starts_in=22 * DAY)
    make_appointment(other, owner, starts_in=24 * DAY, title="Price talk")
    sent = offer_new_dates(host)
    assert len(sent) == 2
    english = next(m for m in sent if m.person == other)
    assert "Pick the time that suits you best here: http://localhost:8000/p/" in english.body
    assert english.subject == "Could we move “Price talk”?"
    assert "I will be away on" in english.body and "didn't work out" not in english.body
    from verbind.scheduling.models import Proposal

    for proposal in Proposal.objects.all():
        assert proposal.state == ProposalState.OPEN
        for slot in proposal.slots.all():  # the new dates lie outside the leave
            assert not (away.starts_at <= slot.starts_at < away.ends_at)
    # A second click offers nothing twice.
    assert offer_new_dates(host) == []


def test_handing_to_the_backup_moves_the_meetings_and_tells_the_backup(
    smtp, host, person, owner, colleague, away, workspace
):
    from verbind.people.models import Interaction
    from verbind.worker.loop import Worker

    meeting = make_appointment(person, owner, starts_in=22 * DAY, title="Showroom visit")
    moved, stuck = hand_to_backup(host)
    assert moved == [meeting] and stuck == []
    meeting.refresh_from_db()
    assert meeting.owner == colleague and meeting.status == AppointmentStatus.CONFIRMED
    assert list(affected(host)) == []
    assert Interaction.objects.filter(
        person=person, notes__contains="hosts “Showroom visit”"
    ).exists()
    Worker().run_pass()
    [told] = smtp.to(colleague.email)
    assert "Showroom visit" in told["Subject"]


def test_meetings_nobody_stands_in_for_stay_and_are_named(web, host, person, owner, workspace):
    start = host_now() + 21 * DAY
    Absence.objects.create(
        workspace=workspace, membership=host, starts_at=start, ends_at=start + 7 * DAY
    )
    make_appointment(person, owner, starts_in=22 * DAY, title="Showroom visit")
    page = web.post("/absences/to-backup/", follow=True).content.decode()
    assert "Nobody stands in for “Showroom visit” (Hans Verbeek)" in page
    assert len(list(affected(host))) == 1


def test_the_calendars_page_adds_an_absence_and_offers_the_buttons(web, host, person, owner):
    make_appointment(person, owner, starts_in=10 * DAY, title="Lunch")
    start = host_now() + 9 * DAY
    response = web.post(
        "/calendars/",
        {
            "add_absence": "1",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + 3 * DAY).strftime("%Y-%m-%dT%H:%M"),
            "note": "Course",
        },
        follow=True,
    )
    assert "Your absence is saved." in response.content.decode()
    page = response.content.decode()
    assert "1 meeting falls while you are away" in page
    assert "Offer new dates</button>" in page  # one meeting: not "to all of them"
    bad = web.post(
        "/calendars/",
        {
            "add_absence": "1",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert "The end must come after the start." in bad.content.decode()
    past = web.post(
        "/calendars/",
        {
            "add_absence": "1",
            "starts_at": (start - 30 * DAY).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - 29 * DAY).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert "This absence is over already." in past.content.decode()
    assert Absence.objects.count() == 1


def test_the_working_week_form_reads_ranges_and_names_mistakes(web, host):
    ok = web.post(
        "/calendars/",
        {
            "save_week": "1",
            "day0": "09:00–12:30, 13:30-17:00",
            "day4": "10:00–14:00",
            "buffer_minutes": 10,
            "notice_hours": 4,
        },
        follow=True,
    )
    assert "Your working week is saved." in ok.content.decode()
    week = host.availability.weekly_hours.as_json()
    assert week == {"0": [["09:00", "12:30"], ["13:30", "17:00"]], "4": [["10:00", "14:00"]]}

    def week(**days):
        data = {"save_week": "1", "buffer_minutes": 10, "notice_hours": 4, **days}
        return web.post("/calendars/", data).content.decode()

    assert "Write times like 09:00–17:00" in week(day1="nine to five")
    assert "Two of these times overlap." in week(day1="09:00-12:00, 11:00-13:00")
    assert "can offer nobody a time" in week()
    assert "less than or equal to 2160" in week(day0="09:00-17:00", notice_hours=99999999)
    saved = web.post(
        "/calendars/",
        {
            "save_week": "1",
            "day2": "9:00-17:00",
            "day5": "20:00-24:00",
            "buffer_minutes": 0,
            "notice_hours": 0,
        },
        follow=True,
    )
    assert "Your working week is saved." in saved.content.decode()
    host.availability.refresh_from_db()
    assert host.availability.weekly_hours.as_json() == {"2": [["09:00", "17:00"]], "5": [["20:00", "23:59"]]}


def test_another_workspace_cannot_touch_my_absences_or_calendars(outsider_web, host, away):
    assert outsider_web.post(f"/absences/{away.pk}/remove/").status_code == 404
    assert Absence.objects.filter(pk=away.pk).exists()


def test_the_private_feed_lists_appointments_and_deadlines(
    web, host, person, owner, promise, client
):
    meeting = make_appointment(person, owner, starts_in=3 * DAY, title="Site visit", place="Gouda")
    cancelled = make_appointment(person, owner, starts_in=4 * DAY, title="Called off")
    cancelled.transition(AppointmentStatus.CANCELLED_BY_THEM)
    web.post("/calendars/feed/renew/")
    page = web.get("/calendars/").content.decode()
    url = page.split("/feed/")[1].split(".ics")[0]
    response = client.get(f"/feed/{url}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries == ["Site visit — Hans Verbeek", "⏰ Send the proposal — Hans Verbeek"]
    meeting.refresh_from_db()
    assert meeting.ical_uid in response.content.decode()
    # Renewing makes the old address stop working; the address is never shown again.
    web.post("/calendars/feed/renew/")
    assert client.get(f"/feed/{url}.ics").status_code == 404
    assert ".ics</code>" in web.get("/calendars/").content.decode()  # the new one, once
    assert ".ics</code>" not in web.get("/calendars/").content.decode()
    assert CalendarFeed.objects.count() == 1
    assert OutboxMessage.objects.filter(purpose=Purpose.ABSENCE).count() == 0


def test_answering_on_the_link_counts_the_message_that_carried_it_as_sent(
    host, person, owner, away
):
    make_appointment(person, owner, starts_in=22 * DAY)
    [message] = offer_new_dates(host)
    assert message.state == "ready"  # no SMTP here: the member sends it themself
    link = message.body.split("http://localhost:8000")[1].split()[0]
    page = Client().get(link)
    Client().post(link, {"slot": page.context["slots"][0].pk})
    message.refresh_from_db()
    assert message.state == "sent"  # not left "ready", offering times already answered
    assert [i.rule for i in agenda_for(host) if i.person == person] == []


def test_open_draft_on_todays_item_and_offer_all_make_one_message(host, person, owner, away):
    from verbind.followthrough import actions

    meeting = make_appointment(person, owner, starts_in=22 * DAY, title="Showroom visit")
    item = actions.find_item(host, f"absence:{meeting.pk}")
    draft = actions.draft(host, item)
    assert draft.subject == "Kunnen we “Showroom visit” verzetten?"  # Hans reads Dutch
    assert "niet doorging" not in draft.body
    [sent] = offer_new_dates(host)
    assert sent.pk == draft.pk and OutboxMessage.objects.filter(person=person).count() == 1


def test_the_link_sits_above_the_sign_off(host, person, owner, away):
    make_appointment(person, owner, starts_in=22 * DAY)
    [message] = offer_new_dates(host)
    paragraphs = message.body.strip().split("\n\n")
    assert paragraphs[-2].startswith("Kies hier het moment dat jou het best past: http")
    assert paragraphs[-1].startswith("Hartelijke groet,")


def test_after_they_declined_the_button_offers_again(host, person, owner, away):
    meeting = make_appointment(person, owner, starts_in=22 * DAY)
    [first] = offer_new_dates(host)
    assert offer_new_dates(host) == []  # waiting for their choice
    link = first.body.split("http://localhost:8000")[1].split()[0]
    Client().post(link, {"decline": "1", "note": "Not in December"})
    [second] = offer_new_dates(host)
    assert second.pk != first.pk and second.appointment == meeting
