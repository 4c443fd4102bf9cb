"""Reading calendars into busy blocks: recurrences expanded, all-day events, time zones.

icalendar parses (and knows the Windows zone names Outlook writes);
recurring-ical-events expands RRULE, RDATE and EXDATE. What is stored is the
expansion for a rolling horizon, so finding free times never parses again.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import icalendar
import recurring_ical_events
from django.db import transaction
from django.utils import timezone

from verbind.scheduling.models import BusyBlock, Calendar
from verbind.transfer.records import ImportFailed, Problem

HORIZON = timedelta(days=400)


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


def parse(
    data: bytes, filename: str, zone, keywords: list[str], now: datetime | None = None
) -> list[dict]:
    """Busy blocks from an .ics file, or ImportFailed naming the file, line and field."""
    now = now or timezone.now()
    text = data.decode("utf-8-sig", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise ImportFailed(Problem(filename, 1, "", "this is not an iCalendar (.ics) file"))
    try:
        calendar = icalendar.Calendar.from_ical(text)
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
        occurrences = recurring_ical_events.of(calendar).between(
            now - timedelta(days=1), now + HORIZON
        )
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
        if end is None:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        absence = status == "OOF" or any(k and k in summary.lower() for k in keywords)
        if transparent and not absence:
            continue  # shown as free: not busy
        if status == "FREE" and not absence:
            continue
        if all_day and not absence and not transparent:
            absence = (
                "FREE" not in status
                and bool(keywords)
                and any(k in summary.lower() for k in keywords)
            )
        blocks.append(
            {
                "starts_at": _aware(start, zone),
                "ends_at": _aware(end, zone),
                "absence": absence,
                "summary": summary,
            }
        )
    return blocks


@transaction.atomic
def load(membership, name: str, data: bytes, filename: str) -> Calendar:
    """Add or refresh a calendar: all its blocks are replaced at once, or nothing changes."""
    calendar, _created = Calendar.objects.get_or_create(membership=membership, name=name)
    keywords = [k.strip().lower() for k in calendar.absence_keywords.split(",") if k.strip()]
    blocks = parse(data, filename, membership.zone, keywords)
    calendar.blocks.all().delete()
    BusyBlock.objects.bulk_create(
        [BusyBlock(calendar=calendar, membership=membership, **block) for block in blocks],
        batch_size=2000,
    )
    calendar.last_synced_at = timezone.now()
    calendar.last_error = ""
    calendar.save(update_fields=["last_synced_at", "last_error"])
    return calendar
