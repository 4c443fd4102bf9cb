"""Calendars as Google, Outlook and Apple export them, read into busy times and absences."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.scheduling.calendars import load, parse
from verbind.scheduling.models import BusyBlock
from verbind.scheduling.slots import free_slots
from verbind.transfer.records import ImportFailed

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=AMS)
FOLDER = Path(__file__).parent / "corpus" / "calendars"
KEYWORDS = ["vakantie", "vacation"]


def blocks(name):
    return parse((FOLDER / name).read_bytes(), name, AMS, KEYWORDS, now=NOW).blocks


def local(block):
    return block["starts_at"].astimezone(AMS).strftime("%a %d %b %H:%M")


def test_google_recurrence_is_expanded_with_its_exceptions_and_free_events_are_skipped():
    found = blocks("google.ics")
    standups = [local(b) for b in found if b["summary"] == "Team overleg"]
    assert standups[:3] == [
        "Mon 30 Nov 10:00",
        "Mon 07 Dec 10:00",
        "Wed 09 Dec 10:00",
    ]  # 2 Dec excluded
    assert len(standups) == 7
    assert not any(b["summary"] == "Verjaardag van Eva" for b in found)  # shown as free
    [holiday] = [b for b in found if b["absence"]]
    assert (
        holiday["summary"] == "Vakantie Lapland"
    )  # a keyword makes an absence, even when shown as free
    assert holiday["starts_at"].astimezone(AMS).hour == 0


def test_outlook_windows_zone_names_out_of_office_and_free():
    found = blocks("outlook.ics")
    meeting = next(b for b in found if b["summary"] == "Klantgesprek")
    assert local(meeting) == "Tue 01 Dec 14:00"
    trip = next(b for b in found if b["summary"] == "Wereldreis")
    assert trip["absence"] and (trip["ends_at"] - trip["starts_at"]) == timedelta(days=5)
    assert not any("Lunch" in b["summary"] for b in found)


def test_apple_floating_times_rdates_and_cancelled_events():
    found = blocks("apple.ics")
    assert [local(b) for b in found] == [
        "Fri 04 Dec 09:00",
        "Fri 11 Dec 09:00",
    ]  # floating: the member's zone


def test_a_broken_event_is_skipped_with_its_line_and_field_and_the_rest_is_read(owner, workspace):
    membership = owner.memberships.get()
    load(membership, "Work", (FOLDER / "outlook.ics").read_bytes(), "outlook.ics")
    calendar = load(membership, "Work", (FOLDER / "broken.ics").read_bytes(), "broken.ics")
    assert [b.summary for b in calendar.blocks.all()] == ["Fine"]  # the old times replaced
    assert calendar.events_read == 1
    [skipped] = calendar.skipped_events
    assert (skipped["line"], skipped["field"]) == (11, "DTSTART")
    assert "“2026-12-0X” is not a date or time" in skipped["reason"]


def test_a_file_without_one_readable_event_is_refused_and_changes_nothing(owner, workspace):
    membership = owner.memberships.get()
    load(membership, "Work", (FOLDER / "outlook.ics").read_bytes(), "outlook.ics")
    before = BusyBlock.objects.count()
    text = (FOLDER / "broken.ics").read_text().replace("DTSTART:20261201T090000Z", "DTSTART:nope")
    with pytest.raises(ImportFailed) as failed:
        load(membership, "Work", text.encode(), "broken.ics")
    problem = failed.value.problem
    assert (problem.file, problem.line, problem.field) == ("broken.ics", 5, "DTSTART")
    assert BusyBlock.objects.count() == before  # nothing half-imported
    with pytest.raises(ImportFailed, match="not an iCalendar"):
        parse(b"Name,Email\n", "contacts.csv", AMS, [])


def test_free_times_avoid_the_calendar(owner, workspace):
    membership = owner.memberships.get()
    load(membership, "Outlook", (FOLDER / "outlook.ics").read_bytes(), "outlook.ics")
    slots = free_slots(
        membership,
        timedelta(hours=1),
        timedelta(days=21),
        count=10,
        now=datetime(2026, 11, 30, 9, 0, tzinfo=AMS),
    )
    days = {s.astimezone(AMS).date().isoformat() for s in slots}
    assert not days & {f"2026-12-{d:02d}" for d in range(7, 12)}  # the world trip
    tuesday = [s for s in slots if s.astimezone(AMS).date().isoformat() == "2026-12-01"]
    assert all(
        not (13 <= s.astimezone(AMS).hour < 15) for s in tuesday
    )  # the client meeting and buffers


def test_verbind_calendar_add_and_list(owner, workspace, capsys, tmp_path):
    call_command("calendar", "add", str(FOLDER / "google.ics"), "--member", owner.email)
    assert "busy times" in capsys.readouterr().out
    call_command("calendar", "list", "--member", owner.email, "--json")
    assert '"name": "google.ics"' in capsys.readouterr().out
    call_command("calendar", "add", str(FOLDER / "broken.ics"), "--member", owner.email)
    said = capsys.readouterr().out
    assert "Read broken.ics: 1 events, 1 busy times, 0 of them absences; 1 skipped:" in said
    assert "skipped: line 11, DTSTART: “2026-12-0X” is not a date or time" in said
    call_command("calendar", "list", "--member", owner.email)
    assert "skipped: line 11, DTSTART" in capsys.readouterr().out
    spam = tmp_path / "spam.ics"
    spam.write_text((FOLDER / "broken.ics").read_text().replace("T090000Z", "nope"))
    with pytest.raises(CommandError, match="spam.ics, line 5, field DTSTART") as refused:
        call_command("calendar", "add", str(spam), "--member", owner.email)
    assert refused.value.returncode == 2


def test_story_1_the_host_is_warned_weeks_ahead_when_a_visit_falls_in_his_trip(
    owner, workspace, person
):
    """The absence guard: as soon as the calendar shows the trip, the booked coffee is on his agenda."""
    import time_machine

    from tests.conftest import make_appointment
    from verbind.followthrough.agenda import agenda_for

    membership = owner.memberships.get()
    with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=AMS), tick=False):
        coffee = make_appointment(
            person, owner, starts_in=timedelta(days=22), title="Coffee and the plans"
        )
        assert coffee.starts_at.astimezone(AMS).date().isoformat() == "2026-12-08"
        assert [i.key for i in agenda_for(membership)] == []
        load(
            membership, "Outlook", (FOLDER / "outlook.ics").read_bytes(), "outlook.ics"
        )  # the world trip
        [item] = agenda_for(membership)
        assert item.key == f"absence:{coffee.pk}" and item.purpose == "new_dates"
        assert "You will be away during “Coffee and the plans”" in item.why
        assert item.urgency == 2  # weeks ahead: coming, not yet urgent


def test_the_fast_path_reads_exactly_what_a_full_expansion_reads():
    """Reading event by event, passing over the past and expanding series one by one changes nothing."""
    import icalendar
    import recurring_ical_events
    from django.utils import timezone

    from verbind.bench.scheduling import CalendarFile
    from verbind.scheduling import reading

    now = timezone.now()
    data = CalendarFile(series=60, singles=600, now=now, seed=11).ics()

    def key(blocks):
        return sorted((b["starts_at"], b["ends_at"], b["absence"], b["summary"]) for b in blocks)

    fast = key(reading.parse(data, "work.ics", AMS, ["vakantie"], now).blocks)
    whole = recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(
        now - timedelta(days=1), now + reading.HORIZON
    )
    full = []
    for event in whole:
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT" and "vakantie" not in str(
            event.get("SUMMARY", "")
        ).lower():
            continue
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        full.append(
            {
                "starts_at": reading._aware(start, AMS),
                "ends_at": reading._aware(end, AMS),
                "absence": reading._says_away(str(event.get("SUMMARY", "")), ["vakantie"]),
                "summary": str(event.get("SUMMARY", "")),
            }
        )
    assert fast == key(full) and len(fast) > 100


def test_an_event_with_a_duration_is_busy_and_a_friday_drink_is_no_absence():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Vrijdagborrel\r\n"
        "DTSTART:20261204T160000Z\r\nDURATION:PT2H\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Vrij\r\n"
        "DTSTART;VALUE=DATE:20261207\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    blocks = parse(text.encode(), "t.ics", AMS, ["vakantie", "vrij"], now=NOW).blocks
    drink, day_off = sorted(blocks, key=lambda b: b["starts_at"])
    assert drink["ends_at"] - drink["starts_at"] == timedelta(hours=2)  # DURATION, not zero
    assert not drink["absence"] and day_off["absence"]


def test_a_recurrence_every_minute_is_refused_with_its_line(owner, workspace):
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:spam\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Ping\r\n"
        "DTSTART:20261201T090000Z\r\nDTEND:20261201T090100Z\r\n"
        "RRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(ImportFailed) as refused:
        parse(text.encode(), "spam.ics", AMS, KEYWORDS, now=NOW)
    problem = refused.value.problem
    assert (problem.line, problem.field) == (10, "RRULE")
    assert "repeats too often" in str(problem)
