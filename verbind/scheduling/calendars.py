"""Reading calendars into busy blocks: recurrences expanded, all-day events, time zones.

icalendar parses (and knows the Windows zone names Outlook writes);
recurring-ical-events expands RRULE, RDATE and EXDATE. What is stored is the
expansion for a rolling horizon, so finding free times never parses again.
A calendar comes from an uploaded file, an ICS feed (a URL) or a CalDAV
account (the caldav library); the worker reads feeds and CalDAV again on a
schedule, and a failure is kept on the calendar for the member to see.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, time, timedelta

import icalendar
import recurring_ical_events
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib.nul import strip_nul
from verbind.lib.problems import ImportFailed, Problem
from verbind.scheduling.fetching import SyncFailed, fetch_caldav, fetch_feed, normalise_url
from verbind.scheduling.models import BusyBlock, Calendar, CalendarSource

HORIZON = timedelta(days=400)
MAX_BLOCKS = 100_000  # a year of one person's time holds far fewer
log = logging.getLogger(__name__)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _raw_value(event, field: str) -> str:
    """The value as written in the file, for the message (icalendar keeps the broken text)."""
    value = event[field]
    try:
        return value.to_ical().decode().strip()
    except Exception:  # noqa: BLE001 - a broken property may not serialise either
        return str(getattr(value, "value", value))


def _aware(value, zone) -> datetime:
    if isinstance(value, datetime):
        return (
            value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=zone).astimezone(UTC)
        )  # floating
    return datetime.combine(value, time(0), zone).astimezone(UTC)  # all-day: the member's whole day


KEEP = ("RRULE", "RDATE", "RECURRENCE-ID", "DURATION", "EXRULE")


def _without_the_past(text: str, before: datetime) -> str:
    """The calendar without one-off events that ended before *before*.

    Exports hold years of history that can never be busy again; icalendar spends
    most of a sync parsing it. Only events that plainly lie in the past are left
    out: anything recurring, with a duration, or with a value that is not a plain
    date is kept for icalendar to read (and to report, if broken).
    """
    cutoff = before.strftime("%Y%m%d")
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    event: list[str] | None = None
    for line in lines:
        if event is None:
            if line.upper().startswith("BEGIN:VEVENT"):
                event = [line]
            else:
                kept.append(line)
            continue
        event.append(line)
        if line.upper().startswith("END:VEVENT"):
            if not _ended_before(event, cutoff):
                kept.extend(event)
            event = None
    if event is not None:
        kept.extend(event)  # unfinished: let icalendar say what is wrong
    return "\r\n".join(kept)


def _ended_before(event: list[str], cutoff: str) -> bool:
    ends = starts = None
    for line in event:
        if line[:1] in (" ", "\t"):
            continue  # a folded continuation: names and values of interest are not folded
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name in KEEP or name == "BEGIN" and not line.upper().startswith("BEGIN:VEVENT"):
            return False  # recurring, or with parts (alarms) — keep it whole
        if name in ("DTEND", "DTSTART") and ":" in line:
            value = line.rsplit(":", 1)[1].strip()
            if not (len(value) >= 8 and value[:8].isdigit()):
                return False
            if name == "DTEND":
                ends = value[:8]
            else:
                starts = value[:8]
    last = ends or starts
    return last is not None and last < cutoff


RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")


def _occurrences(calendar, start: datetime, end: datetime, zone) -> list:
    """Every event happening between *start* and *end*, recurrences expanded.

    recurring-ical-events expands the series; one-off events (most of a busy
    calendar) are simply checked against the window, which is much faster.
    """
    series = icalendar.Calendar()
    found = []
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            series.add_component(component)
        elif component.name == "VEVENT":
            if any(name in component for name in RECURRING):
                _not_too_often(component)
                series.add_component(component)
            elif _overlaps_window(component, start, end, zone):
                found.append(component)
    if any(c.name == "VEVENT" for c in series.subcomponents):
        found.extend(recurring_ical_events.of(series).between(start, end))
    if len(found) > MAX_BLOCKS:
        raise TooMuch(
            f"more than {MAX_BLOCKS:,} busy times in the coming {HORIZON.days} days; "
            "is this a calendar of one person?"
        )
    return found


class TooMuch(ValueError):
    """A calendar that would fill the database rather than describe someone's time."""

    def __init__(self, message: str, needle: str = "", field: str = ""):
        super().__init__(message)
        self.needle, self.field = needle, field


def _not_too_often(event) -> None:
    rule = event.get("RRULE")
    frequency = str((rule or {}).get("FREQ", [""])[0]).upper() if rule else ""
    if frequency in ("SECONDLY", "MINUTELY"):
        raise TooMuch(
            f"“{event.get('SUMMARY', '')}” repeats every "
            f"{'second' if frequency == 'SECONDLY' else 'minute'}; that is no busy time",
            needle=f"FREQ={frequency}",
            field="RRULE",
        )


def _overlaps_window(event, start: datetime, end: datetime, zone) -> bool:
    if "DTSTART" not in event:
        return False
    begins = event.decoded("DTSTART")
    if "DTEND" in event:
        ends = event.decoded("DTEND")
    elif "DURATION" in event:
        ends = begins + event.decoded("DURATION")
    else:
        ends = begins + (timedelta(days=1) if not isinstance(begins, datetime) else timedelta(0))
    return _aware(begins, zone) < end and _aware(ends, zone) >= start


def _says_away(summary: str, keywords: list[str]) -> bool:
    """A whole word of the title is an absence word: "vrij", but not "vrijdagborrel"."""
    text = summary.lower()
    return any(k and re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keywords)


def parse(
    data: bytes, filename: str, zone, keywords: list[str], now: datetime | None = None
) -> list[dict]:
    """Busy blocks from an .ics file, or ImportFailed naming the file, line and field."""
    now = now or timezone.now()
    text = strip_nul(data.decode("utf-8-sig", errors="replace"))
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise ImportFailed(Problem(filename, 1, "", "this is not an iCalendar (.ics) file"))
    try:
        calendar = icalendar.Calendar.from_ical(_without_the_past(text, now - timedelta(days=2)))
    except ValueError as exc:
        raise ImportFailed(Problem(filename, 1, "", f"unreadable calendar: {exc}")) from None
    for event in calendar.walk("VEVENT"):  # check each event first, to name a broken one
        for field in ("DTSTART", "DTEND"):
            if field in event:
                try:
                    event[field].dt  # noqa: B018 - a broken value raises only when read
                except Exception:  # noqa: BLE001 - icalendar raises several kinds for bad values
                    raw = _raw_value(event, field)
                    raise ImportFailed(
                        Problem(
                            filename,
                            _line_of(text, f"{field}:{raw}"),
                            field,
                            f"“{raw}” is not a date or time",
                        )
                    ) from None
    try:
        occurrences = _occurrences(calendar, now - timedelta(days=1), now + HORIZON, zone)
    except TooMuch as exc:
        line = _line_of(text, exc.needle) if exc.needle else 1
        raise ImportFailed(Problem(filename, line, exc.field, str(exc))) from None
    except Exception as exc:  # noqa: BLE001
        raise ImportFailed(Problem(filename, 1, "", f"unreadable calendar: {exc}")) from None
    blocks = []
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        summary = str(event.get("SUMMARY", ""))[:300]
        status = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
        transparent = str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND") if "DTEND" in event else None
        all_day = not isinstance(start, datetime)
        if end is None and "DURATION" in event:
            end = start + event.decoded("DURATION")
        if end is None:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        absence = status == "OOF" or _says_away(summary, keywords)
        if transparent and not absence:
            continue  # shown as free: not busy
        if status == "FREE" and not absence:
            continue
        blocks.append(
            {
                "starts_at": _aware(start, zone),
                "ends_at": _aware(end, zone),
                "absence": absence,
                "summary": summary,
            }
        )
    return blocks


def _keywords(calendar: Calendar) -> list[str]:
    return [k.strip().lower() for k in calendar.absence_keywords.split(",") if k.strip()]


def store(calendar: Calendar, blocks: list[dict], now=None) -> Calendar:
    """Replace the calendar's busy blocks at once, and note the successful read."""
    now = now or timezone.now()
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
        calendar.save(update_fields=["last_synced_at", "last_attempt_at", "last_error", "failures"])
    return calendar


def load(membership, name: str, data: bytes, filename: str) -> Calendar:
    """Add or refresh an uploaded calendar: all its blocks are replaced at once, or nothing changes."""
    existing = Calendar.objects.filter(membership=membership, name=name[:200]).first()
    keywords = _keywords(existing or Calendar())
    blocks = parse(data, filename, membership.zone, keywords)  # before any write (no lock held)
    with transaction.atomic():
        calendar, _created = Calendar.objects.get_or_create(membership=membership, name=name[:200])
        return store(calendar, blocks)


def read(calendar: Calendar, now) -> list[dict]:
    """Fetch and parse a feed or CalDAV calendar: the busy blocks, or SyncFailed. Writes nothing."""
    if calendar.source == CalendarSource.FEED:
        sources = fetch_feed(calendar)
    elif calendar.source == CalendarSource.CALDAV:
        sources = fetch_caldav(calendar, now - timedelta(days=1), now + HORIZON)
    else:
        raise SyncFailed(_("an uploaded file is read again by uploading it again"))
    blocks = []
    try:
        for data, label in sources:
            blocks.extend(parse(data, label, calendar.membership.zone, _keywords(calendar), now))
    except ImportFailed as exc:
        raise SyncFailed(str(exc.problem)) from None
    return blocks


def sync(calendar: Calendar, now=None) -> Calendar:
    """Read a feed or CalDAV calendar again. On failure the old blocks stay and the error is kept.

    Nothing is held open while the server answers; only storing the result is a transaction.
    """
    try:
        blocks = read(calendar, now or timezone.now())
    except SyncFailed as exc:
        _record_failure(calendar, exc.message, timezone.now())
        raise
    return store(calendar, blocks)  # noted at the moment the read ended


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
    blocks = read(calendar, timezone.now())  # before any write: no lock while the server answers
    with transaction.atomic():
        calendar.next_sync_at = timezone.now() + timedelta(minutes=calendar.sync_minutes)
        calendar.save()
        return store(calendar, blocks)


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
