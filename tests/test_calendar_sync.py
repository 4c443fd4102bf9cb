"""Calendars read from a real CalDAV server (Radicale) and from ICS feeds, again and again."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.radicale import PASSWORD, USER
from verbind.scheduling.calendars import SyncFailed, add_remote, sync
from verbind.scheduling.models import BusyBlock, Calendar, CalendarSource
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def host(owner, workspace):
    return owner.memberships.get()


def ics(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def event(uid: str, *lines: str) -> str:
    return (
        "BEGIN:VEVENT\r\nUID:"
        + uid
        + "\r\nDTSTAMP:20261101T000000Z\r\n"
        + "".join(line + "\r\n" for line in lines)
        + "END:VEVENT\r\n"
    )


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def day(d: date) -> str:
    return d.strftime("%Y%m%d")


def next_monday() -> date:
    today = timezone.now().astimezone(AMS).date()
    return today + timedelta(days=7 - today.weekday())


def fill(collection, monday: date) -> None:
    """A weekly meeting, an all-day out-of-office trip, an all-day 'free' reminder."""
    nine = datetime.combine(monday, datetime.min.time(), AMS).replace(hour=9)
    collection.save_event(
        ics(
            event(
                "weekly",
                "SUMMARY:Team meeting",
                "DTSTART;TZID=Europe/Amsterdam:" + nine.strftime("%Y%m%dT%H%M%S"),
                "DTEND;TZID=Europe/Amsterdam:"
                + (nine + timedelta(hours=1)).strftime("%Y%m%dT%H%M%S"),
                "RRULE:FREQ=WEEKLY;COUNT=4",
            )
        )
    )
    collection.save_event(
        ics(
            event(
                "trip",
                "SUMMARY:Trade fair Milan",
                "DTSTART;VALUE=DATE:" + day(monday + timedelta(days=14)),
                "DTEND;VALUE=DATE:" + day(monday + timedelta(days=17)),
                "X-MICROSOFT-CDO-BUSYSTATUS:OOF",
            )
        )
    )
    collection.save_event(
        ics(
            event(
                "birthday",
                "SUMMARY:Birthday of Hans",
                "DTSTART;VALUE=DATE:" + day(monday + timedelta(days=2)),
                "DTEND;VALUE=DATE:" + day(monday + timedelta(days=3)),
                "TRANSP:TRANSPARENT",
            )
        )
    )


def test_a_caldav_calendar_becomes_busy_times_and_absences(radicale, host, owner, monkeypatch):
    collection = radicale.new_calendar("Work")
    monday = next_monday()
    fill(collection, monday)
    monkeypatch.setenv("TEST_CALDAV_PASSWORD", PASSWORD)
    call_command(
        "calendar",
        "add",
        str(collection.url),
        "--caldav",
        "--name",
        "Work",
        "--username",
        USER,
        "--password-env",
        "TEST_CALDAV_PASSWORD",
        "--member",
        owner.email,
    )
    calendar = Calendar.objects.get(name="Work")
    assert calendar.source == CalendarSource.CALDAV and calendar.last_error == ""
    busy = BusyBlock.objects.filter(calendar=calendar, absence=False).order_by("starts_at")
    assert [b.starts_at.astimezone(AMS).strftime("%a %H:%M") for b in busy] == ["Mon 09:00"] * 4
    [trip] = BusyBlock.objects.filter(calendar=calendar, absence=True)
    assert trip.summary == "Trade fair Milan"
    assert trip.starts_at == datetime.combine(monday + timedelta(days=14), datetime.min.time(), AMS)
    assert trip.ends_at == datetime.combine(monday + timedelta(days=17), datetime.min.time(), AMS)
    assert not BusyBlock.objects.filter(summary__contains="Birthday").exists()  # shown as free


def test_the_account_address_reads_all_its_calendars(radicale, host):
    fill(radicale.new_calendar("Private"), next_monday())
    calendar = add_remote(
        host, "Account", radicale.url + USER + "/", CalendarSource.CALDAV, USER, PASSWORD
    )
    assert calendar.blocks.filter(summary="Trade fair Milan").exists()


def test_the_worker_reads_it_again_and_sees_new_events(radicale, host):
    collection = radicale.new_calendar("Again")
    calendar = add_remote(host, "Again", str(collection.url), CalendarSource.CALDAV, USER, PASSWORD)
    assert calendar.blocks.count() == 0
    fill(collection, next_monday())
    assert Worker().run_pass()["handle_one_sync"] == 0  # not due yet
    Calendar.objects.filter(pk=calendar.pk).update(next_sync_at=timezone.now())
    assert Worker().run_pass()["handle_one_sync"] == 1
    assert calendar.blocks.count() == 5
    calendar.refresh_from_db()
    assert calendar.next_sync_at > timezone.now() + timedelta(minutes=25)


def test_a_wrong_password_is_named_and_nothing_is_added(radicale, host):
    collection = radicale.new_calendar("Locked")
    with pytest.raises(SyncFailed, match="refused the user name or password"):
        add_remote(host, "Locked", str(collection.url), CalendarSource.CALDAV, USER, "wrong")
    assert not Calendar.objects.exists()


def test_an_ics_feed_with_basic_auth_is_followed(radicale, host, owner, capsys):
    collection = radicale.new_calendar("Shared")
    fill(collection, next_monday())
    # Radicale serves a whole calendar as one .ics file on GET: a real feed.
    feed = add_remote(host, "Feed", str(collection.url), CalendarSource.FEED, USER, PASSWORD)
    assert feed.blocks.count() == 5 and feed.blocks.filter(absence=True).count() == 1
    call_command("calendar", "list", "--member", owner.email)
    assert "Feed\tfeed\t5\t" in capsys.readouterr().out


def test_a_failing_feed_keeps_its_times_shows_the_error_and_never_stops_the_worker(
    radicale, host, owner, capsys
):
    collection = radicale.new_calendar("Fragile")
    fill(collection, next_monday())
    feed = add_remote(host, "Fragile", str(collection.url), CalendarSource.FEED, USER, PASSWORD)
    last_good = feed.last_synced_at
    collection.delete()  # the feed now answers 404
    Calendar.objects.filter(pk=feed.pk).update(next_sync_at=timezone.now())
    done = Worker().run_pass()
    assert done["handle_one_sync"] == 1
    feed.refresh_from_db()
    assert "404" in feed.last_error and feed.failures == 1
    assert feed.last_synced_at == last_good and feed.blocks.count() == 5  # old times kept
    assert feed.next_sync_at > timezone.now() + timedelta(minutes=55)  # tried less often
    with pytest.raises(CommandError) as failed:
        call_command("calendar", "sync", "--member", owner.email)
    assert failed.value.returncode == 1
    assert "Fragile: the server answered 404" in capsys.readouterr().err
    with pytest.raises(SyncFailed, match=r"^nothing answers at 127.0.0.1 \(connection refused\)$"):
        add_remote(host, "Nowhere", "http://127.0.0.1:9/x.ics", CalendarSource.FEED)
    with pytest.raises(SyncFailed, match=r"^nothing answers at 127.0.0.1 \(connection refused\)$"):
        add_remote(host, "Nowhere", "https://127.0.0.1:9/dav/", CalendarSource.CALDAV)
    with pytest.raises(SyncFailed, match=r"^the name nowhere.invalid is not known$"):
        add_remote(host, "Nowhere", "https://nowhere.invalid/x.ics", CalendarSource.FEED)


def test_bad_addresses_and_passwords_are_refused_in_one_line(host, owner):
    with pytest.raises(CommandError, match="is not a web address"):
        call_command(
            "calendar", "add", "ftp://example.org/cal.ics", "--caldav", "--member", owner.email
        )
    with pytest.raises(CommandError, match="the environment has no NOPE_PASSWORD"):
        call_command(
            "calendar",
            "add",
            "https://example.org/cal.ics",
            "--password-env",
            "NOPE_PASSWORD",
            "--member",
            owner.email,
        )
    assert "NOPE_PASSWORD" not in os.environ
    assert not Calendar.objects.exists()


def test_what_verbind_writes_is_accepted_by_a_real_caldav_server(
    radicale, host, person, owner, promise
):
    """Invites and the subscription feed, stored in Radicale and read back through CalDAV."""
    import icalendar

    from tests.conftest import make_appointment
    from verbind.scheduling.feed import feed_text
    from verbind.scheduling.invites import CANCEL, REQUEST, calendar_text, ensure_uid

    meeting = make_appointment(person, owner, starts_in=timedelta(days=3), place="Gouda")
    ensure_uid(meeting)
    collection = radicale.new_calendar("From Verbind")
    for method in (REQUEST, CANCEL):
        text = calendar_text(meeting, method)
        parsed = icalendar.Calendar.from_ical(text)
        assert parsed["METHOD"] == method
        del parsed["METHOD"]  # a stored calendar object carries no METHOD (RFC 4791 4.1)
        collection.save_event(parsed.to_ical().decode())
    feed = icalendar.Calendar.from_ical(feed_text(host))
    for event in feed.walk("VEVENT"):
        single = icalendar.Calendar()
        single.add("prodid", "-//tests//EN")
        single.add("version", "2.0")
        single.add_component(event)
        if str(event["UID"]) != meeting.ical_uid:  # the meeting is stored already
            collection.save_event(single.to_ical().decode())
    stored = sorted(str(e.icalendar_component["SUMMARY"]) for e in collection.events())
    assert stored == ["Coffee at his office", "⏰ Send the proposal — Hans Verbeek"]
    # Read back as a member's calendar, the cancelled invite is no busy time; the deadline
    # (shown as free) is none either.
    calendar = add_remote(host, "Back", str(collection.url), CalendarSource.CALDAV, USER, PASSWORD)
    assert calendar.blocks.count() == 0
    confirmed = icalendar.Calendar.from_ical(calendar_text(meeting, REQUEST))
    del confirmed["METHOD"]
    collection.save_event(confirmed.to_ical().decode())
    sync(calendar)
    [busy] = calendar.blocks.all()
    whole = [t.replace(microsecond=0) for t in (meeting.starts_at, meeting.ends_at)]
    assert [busy.starts_at, busy.ends_at] == whole  # iCalendar keeps whole seconds


def test_a_slow_feed_does_not_hold_up_the_mail(smtp, host, person, owner):
    """Reading calendars runs beside the sending: a feed that takes seconds delays no message."""
    import http.server
    import threading
    import time

    from tests.smtp import free_port
    from verbind.messaging.enqueue import new_message_id
    from verbind.messaging.models import OutboxMessage, Purpose, State

    body = ics(event("slow", "SUMMARY:Slow", "DTSTART:20991201T090000Z", "DTEND:20991201T100000Z"))

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(2)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        feed = Calendar.objects.create(
            membership=host,
            name="Slow",
            source=CalendarSource.FEED,
            url=f"http://127.0.0.1:{server.server_port}/cal.ics",
            next_sync_at=timezone.now(),
        )
        OutboxMessage.objects.create(
            workspace=host.workspace,
            purpose=Purpose.FOLLOW_UP,
            state=State.QUEUED,
            person=person,
            sender=owner,
            to_address=person.email,
            subject="Hello",
            body="Hello",
            idempotency_key="slow-feed-test",
            message_id=new_message_id(),
            next_attempt_at=timezone.now(),
        )
        done = Worker().run_pass()
    finally:
        server.shutdown()
    feed.refresh_from_db()
    sent = OutboxMessage.objects.get(idempotency_key="slow-feed-test")
    assert done["handle_one_sync"] == 1 and feed.last_error == ""
    assert sent.state == State.SENT
    assert (feed.last_synced_at - sent.sent_at).total_seconds() > 1  # sent while it was reading


def test_calendars_inside_the_servers_own_network_are_refused_by_default(radicale, host, settings):
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    collection = radicale.new_calendar("Internal")
    for source in (CalendarSource.FEED, CalendarSource.CALDAV):
        with pytest.raises(SyncFailed, match="inside this server's own network"):
            add_remote(host, "Internal", str(collection.url), source, USER, PASSWORD)
    with pytest.raises(SyncFailed, match="inside this server's own network"):
        add_remote(host, "Metadata", "http://169.254.169.254/latest/", CalendarSource.FEED)
    assert not Calendar.objects.exists()


def test_the_cli_names_a_wrong_address_and_a_zero_window(owner, person):
    with pytest.raises(CommandError, match="is not a web address") as wrong:
        call_command("calendar", "add", "ftp://example.org/cal.ics", "--member", owner.email)
    assert wrong.value.returncode == 2
    with pytest.raises(CommandError, match="--within must be at least 1d"):
        call_command("propose", person.email, "--within", "0d", "--member", owner.email)


@pytest.mark.parametrize(
    "url", ["http://[::1", "https://example.org:99999/x.ics", "https://example.org:abc/x.ics"]
)
def test_a_malformed_address_is_named_on_the_page(web, host, url, settings):
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    page = web.post("/calendars/", {"follow": "1", "source": "feed", "url": url, "name": "X"})
    assert page.status_code == 200 and "is not a web address" in page.content.decode()


def _serve(handler_body, delay: float):
    """A local HTTP server answering every GET after *delay* seconds, in a thread."""
    import http.server
    import threading
    import time

    from tests.smtp import free_port

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            handler_body(self, delay, time)

        do_PROPFIND = do_REPORT = do_GET  # what a CalDAV client asks

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_running_worker_does_not_wait_for_a_calendar_being_read(host):
    import time

    def slow(handler, delay, clock):
        clock.sleep(delay)
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(ics().encode())

    server = _serve(slow, 3)
    try:
        feed = Calendar.objects.create(
            membership=host,
            name="Slow",
            source=CalendarSource.FEED,
            url=f"http://127.0.0.1:{server.server_port}/x.ics",
            next_sync_at=timezone.now(),
        )
        worker = Worker()
        started = time.monotonic()
        done = worker.run_pass(wait_for_readers=False)
        assert done["handle_one_sync"] == 1 and time.monotonic() - started < 2
        worker.close()  # now wait for the reader, as the worker does when it stops
    finally:
        server.shutdown()
    feed.refresh_from_db()
    assert feed.last_synced_at is not None and feed.last_error == ""


def test_a_feed_that_trickles_in_is_given_up_on(host, settings):
    settings.FETCH_SECONDS = 1

    def trickle(handler, delay, clock):
        handler.send_response(200)
        handler.end_headers()
        for _ in range(20):
            handler.wfile.write(b"BEGIN:VCALENDAR\r\n" * 5000)
            handler.wfile.flush()
            clock.sleep(delay)

    server = _serve(trickle, 0.2)
    try:
        with pytest.raises(SyncFailed, match="took longer than 1 seconds"):
            add_remote(
                host, "Trickle", f"http://127.0.0.1:{server.server_port}/x.ics", CalendarSource.FEED
            )
    finally:
        server.shutdown()
    assert not Calendar.objects.exists()


def test_the_feed_password_is_not_passed_on_to_where_a_feed_redirects(host):
    seen = {}

    def other(handler, delay, clock):
        seen["authorization"] = handler.headers.get("Authorization")
        handler.send_response(200)
        handler.end_headers()
        handler.wfile.write(ics().encode())

    target = _serve(other, 0)

    def moved(handler, delay, clock):
        handler.send_response(302)
        handler.send_header("Location", f"http://127.0.0.1:{target.server_port}/x.ics")
        handler.end_headers()

    first = _serve(moved, 0)
    try:
        add_remote(
            host,
            "Moved",
            f"http://127.0.0.1:{first.server_port}/x.ics",
            CalendarSource.FEED,
            "olga",
            "s3cret",
        )
    finally:
        first.shutdown()
        target.shutdown()
    assert seen == {"authorization": None}


def test_a_caldav_server_may_not_redirect_into_the_servers_network(host, settings, monkeypatch):
    from verbind.scheduling import fetching

    hits = []

    def inside(handler, delay, clock):
        hits.append(handler.path)
        handler.send_response(404)
        handler.end_headers()

    target = _serve(inside, 0)

    def moved(handler, delay, clock):
        handler.send_response(301)
        handler.send_header("Location", f"http://127.0.0.1:{target.server_port}/private/")
        handler.end_headers()

    server = _serve(moved, 0)
    settings.CALENDAR_PRIVATE_ADDRESSES = False
    # Let the first address through (as if it were a public server); the redirect must not be.
    monkeypatch.setattr(fetching, "check_address", lambda url: None)
    try:
        with pytest.raises(SyncFailed):
            add_remote(
                host,
                "Moved",
                f"http://127.0.0.1:{server.server_port}/dav/",
                CalendarSource.CALDAV,
                "olga",
                "x",
            )
    finally:
        server.shutdown()
        target.shutdown()
    assert hits == [], hits  # the address it pointed to was never asked
