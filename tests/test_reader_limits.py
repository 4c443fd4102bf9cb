"""Small inputs that would cost a lot are refused cheaply: rules, packed replies, big files.

Each limit lives in verbind.lib.limits and holds alike for the web, the API,
the CLI and the worker. Where a test says "within", it guards against the old
behaviour (tens of seconds, a gigabyte) with a wide margin, not a benchmark.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from verbind.lib.problems import ImportFailed
from verbind.scheduling.calendars import SyncFailed, add_remote, parse
from verbind.scheduling.models import Calendar, CalendarSource
from verbind.scheduling.recurrence import count

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=AMS)
# Part of the fault suite (`pytest -m faults`): the role matrix, the limits, attacks.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]


def calendar_with(*rules: str, start: str = "20261201T090000Z") -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:r{n}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Ping {n}\r\n"
        f"DTSTART:{start}\r\nDURATION:PT1M\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
        for n, rule in enumerate(rules)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{events}END:VCALENDAR\r\n".encode()
    )


EVERY_MINUTE_OF_EVERY_HOUR = "FREQ=HOURLY;BYMINUTE=" + ",".join(str(m) for m in range(60))


def measured(action):
    tracemalloc.start()
    began = time.perf_counter()
    try:
        result = action()
    except Exception as exc:  # noqa: BLE001 - the refusal is the result here
        result = exc
    seconds = time.perf_counter() - began
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def test_a_rule_every_minute_of_every_hour_is_refused_before_it_is_expanded():
    data = calendar_with(EVERY_MINUTE_OF_EVERY_HOUR)
    assert len(data) < 450  # the size of the file in the report: 361 bytes there
    refused, seconds, peak = measured(lambda: parse(data, "bomb.ics", AMS, [], now=NOW))
    assert isinstance(refused, ImportFailed)
    assert (refused.problem.line, refused.problem.field) == (10, "RRULE")
    assert "repeats too often: up to 570,240 times" in refused.problem.message
    print(f"rule bomb refused in {seconds * 1000:.0f} ms, {peak / 1e6:.1f} MB")
    assert seconds < 2 and peak < 50_000_000  # was 30 s and 1.25 GB


def test_a_rule_bomb_next_to_real_events_costs_only_itself():
    data = calendar_with("FREQ=WEEKLY;COUNT=3", EVERY_MINUTE_OF_EVERY_HOUR)
    reading = parse(data, "mixed.ics", AMS, [], now=NOW)
    assert [b["summary"] for b in reading.blocks] == ["Ping 0"] * 3
    [skipped] = reading.skipped
    assert (skipped.line, skipped.field) == (18, "RRULE")


def test_an_hourly_rule_since_1900_is_refused_for_the_hours_it_would_walk():
    data = calendar_with("FREQ=HOURLY", start="19000101T000000Z")
    refused, seconds, _peak = measured(lambda: parse(data, "old.ics", AMS, [], now=NOW))
    assert isinstance(refused, ImportFailed) and "repeats too often" in str(refused)
    assert seconds < 2  # expanding it took 15 s


@pytest.mark.parametrize(
    ("rule", "most"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", 3 * 60),
        ("FREQ=DAILY;INTERVAL=2", 205),
        ("FREQ=MONTHLY;BYDAY=-1FR", 15),
        ("FREQ=MONTHLY;BYDAY=MO,TU", 2 * 5 * 15),
        ("FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=1,15", 4 * 3),
        ("FREQ=DAILY;BYHOUR=9,13;BYMINUTE=0,30", 4 * 402),
        ("FREQ=HOURLY;COUNT=10", 10),
        ("FREQ=DAILY;UNTIL=20261210T000000Z", 11),
    ],
)
def test_the_count_of_a_rule_is_never_below_what_it_makes(rule, most):
    """An upper bound: the counted number is at least what the expander makes, and near it."""
    import icalendar

    from verbind.scheduling.reading import HORIZON

    made = parse(calendar_with(rule), "r.ics", AMS, [], now=NOW).blocks
    parsed = icalendar.vRecur.from_ical(rule)
    counted = count(
        parsed, datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("UTC")), NOW, NOW + HORIZON, AMS
    )
    assert len(made) <= counted.occurrences <= most


def test_the_limit_of_busy_times_comes_from_the_settings(settings):
    settings.MAX_BUSY_TIMES = 100
    with pytest.raises(ImportFailed, match="at most 100 busy times"):
        parse(calendar_with("FREQ=DAILY"), "daily.ics", AMS, [], now=NOW)


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


def _bomb_server(body: bytes, content_type: str = "text/calendar", status: int = 200):
    from tests.test_calendar_sync import _serve

    def answer(handler, delay, clock):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return _serve(answer, 0)


def _packed(size: int, head: bytes = b"") -> bytes:
    return gzip.compress(head + b" " * size, compresslevel=9)


def test_a_packed_feed_that_unpacks_past_the_limit_is_refused(host, settings):
    settings.CALENDAR_PRIVATE_ADDRESSES = True
    settings.FETCH_MAX_MB = 5
    body = _packed(100_000_000, b"BEGIN:VCALENDAR\r\n")
    assert len(body) < 200_000  # 0.1 MB that inflates to 100 MB
    server = _bomb_server(body)
    try:
        refused, seconds, peak = measured(
            lambda: add_remote(
                host, "Bomb", f"http://127.0.0.1:{server.server_port}/x.ics", CalendarSource.FEED
            )
        )
    finally:
        server.shutdown()
    assert isinstance(refused, SyncFailed)
    assert "larger than 5 MB (unpacked)" in refused.message
    print(f"gzip feed bomb refused in {seconds * 1000:.0f} ms, {peak / 1e6:.1f} MB")
    assert peak < 40_000_000
    assert not Calendar.objects.exists()


def test_a_packed_feed_within_the_limit_is_read(host, settings):
    settings.CALENDAR_PRIVATE_ADDRESSES = True
    body = gzip.compress(calendar_with("FREQ=WEEKLY;COUNT=2"))
    server = _bomb_server(body)
    try:
        calendar = add_remote(
            host, "Packed", f"http://127.0.0.1:{server.server_port}/x.ics", CalendarSource.FEED
        )
    finally:
        server.shutdown()
    assert calendar.blocks.count() == 2


def test_a_caldav_reply_that_unpacks_past_the_limit_is_refused(host, settings):
    settings.CALENDAR_PRIVATE_ADDRESSES = True
    settings.FETCH_MAX_MB = 5
    body = _packed(100_000_000, b'<?xml version="1.0"?><multistatus xmlns="DAV:">')
    server = _bomb_server(body, "application/xml", 207)
    try:
        refused, seconds, peak = measured(
            lambda: add_remote(
                host,
                "Bomb",
                f"http://127.0.0.1:{server.server_port}/cal/",
                CalendarSource.CALDAV,
                "olga",
                "pw",
            )
        )
    finally:
        server.shutdown()
    assert isinstance(refused, SyncFailed), refused
    assert "larger than 5 MB (unpacked)" in refused.message
    print(f"gzip CalDAV bomb refused in {seconds * 1000:.0f} ms, {peak / 1e6:.1f} MB")
    assert peak < 40_000_000
    assert not Calendar.objects.exists()


def test_a_caldav_server_that_trickles_is_given_up_on(host, settings):
    from tests.test_calendar_sync import _serve

    settings.CALENDAR_PRIVATE_ADDRESSES = True
    settings.FETCH_SECONDS = 1

    def trickle(handler, delay, clock):
        handler.send_response(207)
        handler.send_header("Content-Type", "application/xml")
        handler.end_headers()
        handler.wfile.write(b'<?xml version="1.0"?><multistatus xmlns="DAV:">')
        for _ in range(30):
            handler.wfile.write(b" " * 70000)
            handler.wfile.flush()
            clock.sleep(0.1)

    server = _serve(trickle, 0)
    try:
        with pytest.raises(SyncFailed, match="took longer than 1 seconds"):
            add_remote(
                host, "Slow", f"http://127.0.0.1:{server.server_port}/cal/", CalendarSource.CALDAV
            )
    finally:
        server.shutdown()


def test_a_preview_is_read_once_however_often_it_is_opened(web, workspace, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from verbind.transfer import detect

    calls = []
    real = detect.parse

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(detect, "parse", counted)
    data = b"Name,Email\nAnna de Vries,anna@example.org\nBram Smit,bram@example.org\n"
    answer = web.post(
        reverse("import"), {"file": SimpleUploadedFile("c.csv", data), "format": "auto"}
    )
    for _ in range(3):
        page = web.get(answer["Location"])
        assert "Anna de Vries" in page.content.decode()
    assert calls == ["c.csv"]  # was parsed again on every view


def test_a_contacts_file_with_more_cards_than_the_limit_is_refused_before_reading(
    workspace, settings
):
    from verbind.transfer.importing import plan_import

    settings.MAX_CONTACTS = 1000
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna {n}\r\nEMAIL:a{n}@example.org\r\nEND:VCARD\r\n"
    data = "".join(card.format(n=n) for n in range(5000)).encode()
    refused, seconds, _peak = measured(lambda: plan_import(data, "many.vcf", workspace))
    assert isinstance(refused, ImportFailed)
    assert "it holds 5,000 contacts; Verbind reads at most 1,000" in str(refused)
    assert seconds < 1
    rows = "Name,Email\n" + "".join(f"Anna {n},a{n}@example.org\n" for n in range(5000))
    with pytest.raises(ImportFailed, match="it holds 5,000 contacts"):
        plan_import(rows.encode(), "many.csv", workspace)


def test_reading_a_contacts_file_stops_at_the_time_limit(workspace, settings):
    from verbind.transfer.importing import plan_import

    settings.READ_SECONDS = 0
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna {n}\r\nEND:VCARD\r\n"
    data = "".join(card.format(n=n) for n in range(300)).encode()
    with pytest.raises(ImportFailed, match="took longer than 0 seconds"):
        plan_import(data, "slow.vcf", workspace)
