"""Imperfect calendars, shaped like what Outlook, Google, Apple, Thunderbird and Nextcloud export.

Every event that can be read is read; each broken one is skipped and named with
its line and property, on the Calendars page, in the CLI and in the API. The
files in tests/corpus/calendars/ are written for these tests (no real person's
data); each carries the quirks its program is known for.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from verbind.scheduling.calendars import parse

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=AMS)
FOLDER = Path(__file__).parent / "corpus" / "calendars"

# file: (events read, busy times in the horizon, [(line, property) skipped], [(line, property) noted])
CORPUS = {
    "outlook_2016_imperfect.ics": (5, 8, [(60, "DURATION")], [(68, "DTSTART")]),
    "google_export.ics": (6, 7, [(57, "UID"), (63, "RRULE")], []),
    "apple_macos.ics": (3, 2, [(48, "DTSTART"), (58, "DTEND")], []),
    "thunderbird.ics": (3, 15, [(45, "DTSTART")], []),
    "nextcloud.ics": (3, 6, [(71, "RRULE"), (79, "RRULE")], []),
    "outlook.ics": (3, 2, [], []),
    "google.ics": (3, 8, [], []),
    "apple.ics": (2, 2, [], []),
    "broken.ics": (1, 1, [(11, "DTSTART")], []),
}


def read(name):
    return parse((FOLDER / name).read_bytes(), name, AMS, ["vakantie", "vrij"], now=NOW)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_file_reads_every_readable_event_and_names_the_broken_ones(name):
    events, busy, skipped, noted = CORPUS[name]
    reading = read(name)
    assert reading.events == events
    assert len(reading.blocks) == busy
    assert [(p.line, p.field) for p in reading.skipped if p.fatal_for_row] == skipped
    assert [(p.line, p.field) for p in reading.skipped if not p.fatal_for_row] == noted
    assert all(p.file == name and p.message for p in reading.skipped)


def test_the_corpus_in_numbers():
    readings = {name: read(name) for name in CORPUS}
    read_events = sum(r.events for r in readings.values())
    skipped = sum(1 for r in readings.values() for p in r.skipped if p.fatal_for_row)
    print(f"corpus: {read_events} events read, {skipped} skipped, in {len(CORPUS)} files")
    assert (read_events, skipped) == (29, 9)  # before: 5 of the 9 files refused whole


def when(block):
    return block["starts_at"].astimezone(AMS).strftime("%a %d %b %H:%M")


def test_outlook_without_end_a_fold_inside_a_character_and_an_undefined_zone():
    reading = read("outlook_2016_imperfect.ics")
    by_summary = {b["summary"]: b for b in reading.blocks}
    assert when(by_summary["Offerte bespreken"]) == "Wed 02 Dec 14:00"  # quoted Windows zone
    assert when(by_summary["Planning 2027"]) == "Fri 04 Dec 11:00"  # read as the member's zone
    assert by_summary["Skivakantie"]["absence"]
    weekly = sorted(when(b) for b in reading.blocks if b["summary"] == "Weekstart")
    assert "Tue 08 Dec 08:30" not in weekly and len(weekly) == 4  # the EXDATE holds
    [note] = [p for p in reading.skipped if not p.fatal_for_row]
    assert "“Customized Time Zone” is not defined" in note.message
    [duration] = [p for p in reading.skipped if p.fatal_for_row]
    assert duration.message == "“1H” is not a duration"


def test_google_x_wr_timezone_a_moved_instance_and_a_duplicate():
    reading = read("google_export.ics")
    by_summary = {}
    for block in reading.blocks:
        by_summary.setdefault(block["summary"], []).append(when(block))
    assert by_summary["Koffie met Pieter"] == ["Thu 03 Dec 10:00"]  # floating: X-WR-TIMEZONE
    assert by_summary["Standup (later)"] == ["Mon 07 Dec 11:00"]
    assert "Mon 07 Dec 10:00" not in by_summary["Standup"]
    assert by_summary["Lunch met Anna"] == ["Tue 08 Dec 14:00"]  # the repeat is read once
    assert "Afgezegd: borrel" not in by_summary
    duplicate, rule = reading.skipped
    assert "the same event (UID) as on line 46" in duplicate.message
    assert rule.message == "“FREQ=WEEKLY;BYDAY=WE,XX” is not a repeat rule"


def test_thunderbird_windows_1252_in_one_event_and_a_fold_without_its_space():
    reading = read("thunderbird.ics")
    assert "Lunch café de Zaak" in {b["summary"] for b in reading.blocks}
    [typo] = reading.skipped
    assert typo.message == "“2026-12-04 10:00” is not a date or time"


def test_skipped_events_show_on_the_calendars_page_in_the_cli_and_in_the_api(
    owner, workspace, web, api, capsys
):
    membership = owner.memberships.get()
    with open(FOLDER / "nextcloud.ics", "rb") as handle:
        page = web.post(
            "/calendars/", {"upload": "1", "name": "Nextcloud", "file": handle}, follow=True
        )
    text = page.content.decode()
    assert "2 events could not be read and were skipped" in text
    assert "3 events read, 2 skipped: why" in text
    assert "line 71, RRULE" in text and "“FREQ=DAILY;COUNT=abc” is not a repeat rule" in text
    [listed] = api.get("/api/v1/calendars").json()
    assert [(s["line"], s["field"]) for s in listed["skipped"]] == [(71, "RRULE"), (79, "RRULE")]
    call_command("calendar", "list", "--member", owner.email)
    assert "skipped: line 79, RRULE: “Synchronisatietest” repeats too often" in (
        capsys.readouterr().out
    )
    assert membership.calendars.get().blocks.count() == 6


def test_the_page_says_it_in_dutch(owner, workspace, web):
    with open(FOLDER / "apple_macos.ics", "rb") as handle:
        web.post(
            "/calendars/",
            {"upload": "1", "name": "Thuis", "file": handle},
            headers={"Accept-Language": "nl"},
        )
    page = web.get("/calendars/", headers={"Accept-Language": "nl"}).content.decode()
    assert "3 afspraken gelezen, 2 overgeslagen: waarom" in page
    assert "regel 48, DTSTART" in page and "de afspraak heeft geen begin (DTSTART)" in page


def test_two_files_that_define_the_same_custom_zone_differently_each_keep_their_own():
    """icalendar keeps the first zone of a name for the whole process; a file's own zone wins."""

    def outlook(offset: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\n"
            f"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:{offset}\r\n"
            f"TZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Call\r\n"
            'DTSTART;TZID="Customized Time Zone":20261201T100000\r\n'
            "DTEND;TZID=Customized Time Zone:20261201T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()

    tokyo = parse(outlook("+0900"), "tokyo.ics", AMS, [], now=NOW).blocks
    lima = parse(outlook("-0500"), "lima.ics", AMS, [], now=NOW).blocks
    assert tokyo[0]["starts_at"].strftime("%H:%M") == "01:00"  # 10:00 at +09:00, in UTC
    assert lima[0]["starts_at"].strftime("%H:%M") == "15:00"
    assert lima[0]["ends_at"] - lima[0]["starts_at"] == tokyo[0]["ends_at"] - tokyo[0]["starts_at"]
