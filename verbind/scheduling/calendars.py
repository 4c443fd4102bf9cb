"""Reading calendars into busy blocks: recurrences expanded, all-day events, time zones.

icalendar parses (and knows the Windows zone names Outlook writes);
recurring-ical-events expands RRULE, RDATE and EXDATE (``reading``). What is
stored is the expansion for a rolling horizon, so finding free times never
parses again; the events that could not be read are kept on the calendar, with
their line and property, for the member to see.
A calendar comes from an uploaded file, an ICS feed (a URL) or a CalDAV
account (the caldav library); the worker reads feeds and CalDAV again on a
schedule, and a failure is kept on the calendar for the member to see.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib import limits
from verbind.lib.problems import ImportFailed
from verbind.scheduling.fetching import SyncFailed, fetch_caldav, fetch_feed, normalise_url
from verbind.scheduling.models import BusyBlock, Calendar, CalendarSource
from verbind.scheduling.reading import HORIZON, Reading, parse, too_much

log = logging.getLogger(__name__)


def _keywords(calendar: Calendar) -> list[str]:
    return [k.strip().lower() for k in calendar.absence_keywords.split(",") if k.strip()]


def _skipped(reading: Reading) -> list[dict]:
    return [
        {
            "file": p.file,
            "line": p.line,
            "field": p.field,
            "reason": p.message,
            "read": not p.fatal_for_row,
        }
        for p in reading.skipped[:200]
    ]


def store(calendar: Calendar, reading: Reading, now=None) -> Calendar:
    """Replace the calendar's busy blocks at once, and note the successful read."""
    now = now or timezone.now()
    blocks = reading.blocks
    with transaction.atomic():
        calendar.blocks.all().delete()
        BusyBlock.objects.bulk_create(
            [
                BusyBlock(calendar=calendar, membership_id=calendar.membership_id, **block)
                for block in blocks
            ],
            batch_size=2000,
        )
        calendar.last_synced_at = calendar.last_attempt_at = now
        calendar.last_error = ""
        calendar.failures = 0
        calendar.events_read = reading.events
        calendar.skipped = _skipped(reading)
        calendar.save(
            update_fields=[
                "last_synced_at",
                "last_attempt_at",
                "last_error",
                "failures",
                "events_read",
                "skipped",
            ]
        )
    return calendar


def load(membership, name: str, data: bytes, filename: str) -> Calendar:
    """Add or refresh an uploaded calendar: all its blocks are replaced at once, or nothing changes."""
    existing = Calendar.objects.filter(membership=membership, name=name[:200]).first()
    keywords = _keywords(existing or Calendar())
    reading = parse(data, filename, membership.zone, keywords)  # before any write (no lock held)
    with transaction.atomic():
        calendar, _created = Calendar.objects.get_or_create(membership=membership, name=name[:200])
        return store(calendar, reading)


def read(calendar: Calendar, now) -> Reading:
    """Fetch and parse a feed or CalDAV calendar: the busy blocks, or SyncFailed. Writes nothing.

    A CalDAV calendar comes as one file per event; a file that cannot be read is
    skipped like a broken event. The time and item limits hold for all of them together.
    """
    if calendar.source == CalendarSource.FEED:
        sources = fetch_feed(calendar)
    elif calendar.source == CalendarSource.CALDAV:
        sources = fetch_caldav(calendar, now - timedelta(days=1), now + HORIZON)
    else:
        raise SyncFailed(_("an uploaded file is read again by uploading it again"))
    reading = Reading()
    deadline = limits.Deadline(calendar.url, limits.fetch_seconds() + limits.read_seconds())
    zone, keywords = calendar.membership.zone, _keywords(calendar)
    try:
        for data, label in sources:
            if len(sources) == 1:
                reading.add(parse(data, label, zone, keywords, now, deadline))
                continue
            try:
                reading.add(parse(data, label, zone, keywords, now, deadline))
            except limits.OverLimit:
                raise
            except ImportFailed as exc:  # one event's file on the CalDAV server: skipped
                reading.skipped.append(exc.problem)
            if len(reading.blocks) > limits.max_busy_times():
                raise too_much(calendar.url)
    except ImportFailed as exc:
        raise SyncFailed(str(exc.problem)) from None
    if not reading.events and reading.skipped:
        raise SyncFailed(str(reading.skipped[0]))
    return reading


def sync(calendar: Calendar, now=None) -> Calendar:
    """Read a feed or CalDAV calendar again. On failure the old blocks stay and the error is kept.

    Nothing is held open while the server answers; only storing the result is a transaction.
    """
    try:
        reading = read(calendar, now or timezone.now())
    except SyncFailed as exc:
        _record_failure(calendar, exc.message, timezone.now())
        raise
    return store(calendar, reading)  # noted at the moment the read ended


def _record_failure(calendar: Calendar, message: str, now) -> None:
    calendar.last_error, calendar.last_attempt_at = message, now
    calendar.failures += 1
    Calendar.objects.filter(pk=calendar.pk).update(
        last_error=message, last_attempt_at=now, failures=calendar.failures
    )


def add_remote(
    membership, name: str, url: str, source: str, username: str = "", password: str = ""
) -> Calendar:
    """Add a feed or CalDAV calendar and read it at once; if that fails, nothing is added."""
    if Calendar.objects.filter(membership=membership, name=name).exists():
        raise SyncFailed(_("there is already a calendar called “%(name)s”") % {"name": name})
    calendar = Calendar(
        membership=membership,
        name=name[:200],
        source=source,
        url=normalise_url(url),
        username=username,
        password=password,
    )
    reading = read(calendar, timezone.now())  # before any write: no lock while the server answers
    with transaction.atomic():
        calendar.next_sync_at = timezone.now() + timedelta(minutes=calendar.sync_minutes)
        calendar.save()
        return store(calendar, reading)


def claim_one(now) -> Calendar | None:
    """The next feed or CalDAV calendar due to be read, claimed so no other worker reads it."""
    due = (
        Calendar.objects.filter(
            source__in=[CalendarSource.FEED, CalendarSource.CALDAV], next_sync_at__lte=now
        )
        .select_related("membership")
        .order_by("next_sync_at", "id")
        .first()
    )
    if due is None:
        return None
    claimed = Calendar.objects.filter(pk=due.pk, next_sync_at=due.next_sync_at).update(
        next_sync_at=now + timedelta(minutes=due.sync_minutes)
    )
    return due if claimed else claim_one(now)


def sync_claimed(calendar: Calendar, now) -> None:
    """Read a claimed calendar; a failure is kept on it, and it is tried less often."""
    try:
        sync(calendar, now)
    except Exception as exc:
        if isinstance(exc, SyncFailed):
            log.warning("calendar %s of %s: %s", calendar.name, calendar.membership, exc.message)
        else:  # a bug or a library's surprise: kept on the calendar like any failure
            log.exception("reading calendar %s failed", calendar.pk)
            _record_failure(calendar, "Unexpected error while reading this calendar.", now)
        # At most a day apart, and never given up on.
        every = timedelta(minutes=calendar.sync_minutes)
        wait = min(every * 2 ** min(calendar.failures, 10), timedelta(days=1))
        Calendar.objects.filter(pk=calendar.pk).update(next_sync_at=now + wait)
