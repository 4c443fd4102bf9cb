"""An .ics file read into busy blocks, event by event: one broken event costs only itself.

icalendar parses each event (and knows the Windows zone names Outlook writes);
recurring-ical-events expands RRULE, RDATE and EXDATE, one series at a time. An
event that cannot be read (a malformed rule, duration or date, no start, the
same UID twice, a rule that repeats too often) is skipped and named with its
line and property; the others are read. Only a file with no readable event at
all, or one over a limit (``verbind.lib.limits``), is refused whole.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib import limits
from verbind.lib.problems import ImportFailed, Problem
from verbind.scheduling import recurrence
from verbind.scheduling.icsfile import Chunk, cut

HORIZON = timedelta(days=400)
RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")
KEEP = ("RRULE", "RDATE", "RECURRENCE-ID", "DURATION", "EXRULE")


@dataclass
class Reading:
    """What a calendar file gave: busy blocks, how many events were read, and what was skipped."""

    blocks: list[dict] = field(default_factory=list)
    events: int = 0
    skipped: list[Problem] = field(default_factory=list)

    def add(self, other: Reading) -> None:
        self.blocks += other.blocks
        self.events += other.events
        self.skipped += other.skipped


class _Skip(Exception):
    def __init__(self, line: int, field: str, message: str):
        super().__init__(message)
        self.line, self.field, self.message = line, field, message


def _aware(value, zone) -> datetime:
    if isinstance(value, datetime):
        return (
            value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=zone).astimezone(UTC)
        )  # floating
    return datetime.combine(value, time(0), zone).astimezone(UTC)  # all-day: the member's whole day


def _ended_before(chunk: Chunk, cutoff: str) -> bool:
    """Plainly over before *cutoff*: one-off, with plain dates; anything else is read (and checked)."""
    ends = starts = None
    for _number, line in chunk.lines[1:]:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name in KEEP:
            return False
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


def _floating_zone(properties: dict, zone):
    """Google writes times without a zone and names the zone once, in X-WR-TIMEZONE."""
    name = properties.get("X-WR-TIMEZONE", "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return zone


def _own_zones(timezones: list[str]) -> tuple[list[str], dict[str, str]]:
    """The file's VTIMEZONEs under names of their own, and the renaming.

    icalendar keeps a zone it has read under its TZID for the whole process, and
    the first definition wins: two members' Outlook files that both define a
    "Customized Time Zone" differently would read one in the other's zone. So a
    zone that is not a known (IANA) name is renamed after its own content.
    """
    renamed, kept = {}, []
    for text in timezones:
        found = re.search(r"^TZID[^:\r\n]*:(.*)$", text, re.M)
        name = found[1].strip() if found else ""
        if not name or _known(name):
            kept.append(text)
            continue
        own = f"{name} [{hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]}]"
        renamed[name] = own
        kept.append(text[: found.start(1)] + own + text[found.end(1) :])
    return kept, renamed


def _known(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _rename_zones(chunk: Chunk, renamed: dict[str, str]) -> None:
    if not renamed:
        return
    for index, (number, line) in enumerate(chunk.lines):
        head, colon, value = line.partition(":")
        if "TZID=" not in head.upper() or not colon:
            continue

        def swap(match):
            own = renamed.get(match[2])
            return f";TZID={match[1]}{own}{match[1]}" if own else match[0]

        head = re.sub(r';TZID=("?)([^";:]*)\1', swap, head, flags=re.I)
        chunk.lines[index] = (number, f"{head}:{value}")


def _register_timezones(timezones: list[str]) -> None:
    """icalendar learns each VTIMEZONE by reading it; a broken one is left out, not fatal."""
    if not timezones:
        return
    try:
        icalendar.Calendar.from_ical(
            "BEGIN:VCALENDAR\r\n" + "\r\n".join(timezones) + "\r\nEND:VCALENDAR\r\n"
        )
        return
    except Exception:  # noqa: BLE001 - icalendar raises several kinds for a broken zone
        pass
    for text in timezones:
        try:
            icalendar.Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{text}\r\nEND:VCALENDAR\r\n")
        except Exception:  # noqa: BLE001, S112 - a zone that cannot be read is not used
            continue


def _decoded(event, chunk: Chunk, name: str):
    try:
        return event.decoded(name)
    except Exception:  # noqa: BLE001 - a broken value raises only when read, in several kinds
        line, raw = chunk.line_of(name)
        raise _Skip(
            line, name, _("“%(value)s” is not a date or time") % {"value": raw.strip()}
        ) from None


def _check(event, chunk: Chunk, zone, notes: list[Problem], filename: str):
    """The event's start and end, or _Skip naming what is wrong."""
    for name, _reason in event.errors:
        line, raw = chunk.line_of(name)
        if name in ("DURATION",):
            message = _("“%(value)s” is not a duration") % {"value": raw.strip()}
        elif name in ("RRULE", "EXRULE"):
            message = _("“%(value)s” is not a repeat rule") % {"value": raw.strip()}
        elif name in ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE"):
            message = _("“%(value)s” is not a date or time") % {"value": raw.strip()}
        else:
            continue  # a broken description or location does not make a busy time wrong
        raise _Skip(line, name, message)
    if "DTSTART" not in event:
        raise _Skip(chunk.line, "DTSTART", _("the event has no start (DTSTART)"))
    start = _decoded(event, chunk, "DTSTART")
    if not isinstance(start, datetime) and not hasattr(start, "year"):
        line, raw = chunk.line_of("DTSTART")
        raise _Skip(
            line, "DTSTART", _("“%(value)s” is not a date or time") % {"value": raw.strip()}
        )
    if "DTEND" in event:
        end = _decoded(event, chunk, "DTEND")
    elif "DURATION" in event:
        duration = _decoded(event, chunk, "DURATION")
        if not isinstance(duration, timedelta):
            line, raw = chunk.line_of("DURATION")
            raise _Skip(line, "DURATION", _("“%(value)s” is not a duration") % {"value": raw})
        end = start + duration
    else:
        end = start + (timedelta(days=1) if not isinstance(start, datetime) else timedelta(0))
    if _aware(end, zone) < _aware(start, zone):
        line, _raw = chunk.line_of("DTEND" if "DTEND" in event else "DURATION")
        raise _Skip(
            line, "DTEND" if "DTEND" in event else "DURATION", _("the event ends before it starts")
        )
    tzid = event["DTSTART"].params.get("TZID") if hasattr(event["DTSTART"], "params") else None
    if tzid and isinstance(start, datetime) and start.tzinfo is None:
        line, _raw = chunk.line_of("DTSTART")
        notes.append(
            Problem(
                filename,
                line,
                "DTSTART",
                _("the time zone “%(zone)s” is not defined in the file; read as %(ours)s time")
                % {"zone": tzid, "ours": str(zone)},
                fatal_for_row=False,
            )
        )
    return start, end


def _rules(event) -> list:
    rules = event.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _budget(event, chunk: Chunk, start, window: tuple[datetime, datetime], zone) -> int:
    """The busy times this event can make in the window, counted from its rule: _Skip if too many."""
    made = 1
    for rule in _rules(event):
        line, raw = chunk.line_of("RRULE")
        try:
            counted = recurrence.count(rule, start, window[0], window[1], zone)
        except (ValueError, TypeError, IndexError, OverflowError):
            raise _Skip(
                line, "RRULE", _("“%(value)s” is not a repeat rule") % {"value": raw.strip()}
            ) from None
        most = limits.max_busy_times()
        if counted.occurrences > most or counted.steps > 2 * most:
            summary = str(event.get("SUMMARY", ""))[:80]
            raise _Skip(
                line,
                "RRULE",
                _(
                    "“%(summary)s” repeats too often: up to %(count)s times to work through "
                    "for the coming %(days)d days; Verbind reads at most %(limit)s busy times"
                )
                % {
                    "summary": summary,
                    "count": f"{max(counted.occurrences, counted.steps):,}",
                    "days": HORIZON.days,
                    "limit": f"{most:,}",
                },
            )
        made += counted.occurrences
    rdates = event.get("RDATE")
    if rdates is not None:
        for item in rdates if isinstance(rdates, list) else [rdates]:
            made += len(getattr(item, "dts", []) or [])
    return made


def _says_away(summary: str, keywords: list[str]) -> bool:
    """A whole word of the title is an absence word: "vrij", but not "vrijdagborrel"."""
    text = summary.lower()
    return any(k and re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text) for k in keywords)


def _overlaps(start, end, window: tuple[datetime, datetime], zone) -> bool:
    return _aware(start, zone) < window[1] and _aware(end, zone) >= window[0]


def read_events(
    data: bytes,
    filename: str,
    zone,
    now: datetime,
    deadline: limits.Deadline,
) -> tuple[list, Reading, object]:
    """Every event happening in the horizon (series expanded), what was read and skipped, and
    the zone of times written without one."""
    if b"BEGIN:VCALENDAR" not in data[:2000].upper() and b"BEGIN:VEVENT" not in data[:2000].upper():
        raise ImportFailed(Problem(filename, 1, "", _("this is not an iCalendar (.ics) file")))
    parts = cut(data)
    timezones, renamed = _own_zones(parts.timezones)
    _register_timezones(timezones)
    floating = _floating_zone(parts.properties, zone)
    window = (now - timedelta(days=1), now + HORIZON)
    cutoff = (now - timedelta(days=2)).strftime("%Y%m%d")
    reading = Reading()
    seen: dict[tuple[str, str], int] = {}
    series: dict[str, list[tuple[Chunk, object]]] = {}
    found = []
    budget = 0
    for index, chunk in enumerate(parts.events):
        if index % 200 == 0:
            deadline.check(chunk.line)
        if _ended_before(chunk, cutoff):
            reading.events += 1  # over and done: read, never busy again
            continue
        _rename_zones(chunk, renamed)
        try:
            try:
                event = icalendar.Event.from_ical(chunk.text())
            except Exception as exc:  # noqa: BLE001 - icalendar raises several kinds
                raise _Skip(
                    chunk.line, "", _("unreadable event: %(reason)s") % {"reason": str(exc)[:200]}
                ) from None
            start, end = _check(event, chunk, floating, reading.skipped, filename)
            uid = str(event.get("UID", "")).strip()
            recurrence_id = str(event.get("RECURRENCE-ID", "") and event["RECURRENCE-ID"].to_ical())
            if uid:
                earlier = seen.get((uid, recurrence_id))
                if earlier is not None:
                    line, _raw = chunk.line_of("UID")
                    raise _Skip(
                        line,
                        "UID",
                        _("the same event (UID) as on line %(line)d; read once")
                        % {"line": earlier},
                    )
                seen[(uid, recurrence_id)] = chunk.line
            if any(name in event for name in RECURRING):
                budget += _budget(event, chunk, start, window, floating)
                series.setdefault(uid or f"line-{chunk.line}", []).append((chunk, event))
            else:
                budget += 1
                if _overlaps(start, end, window, floating):
                    found.append(event)
        except _Skip as skip:
            reading.skipped.append(Problem(filename, skip.line, skip.field, skip.message))
            continue
        reading.events += 1
    if budget > limits.max_busy_times():
        raise too_much(filename)
    for uid, members in series.items():
        deadline.check(members[0][0].line)
        one = icalendar.Calendar()
        for _chunk, event in members:
            if not event.get("UID"):
                event.add("UID", uid)  # the expander groups a series by UID
            one.add_component(event)
        try:
            found.extend(recurring_ical_events.of(one).between(*window))
        except Exception as exc:  # noqa: BLE001 - the expander raises many kinds for a bad rule
            chunk = members[0][0]
            line, raw = chunk.line_of("RRULE")
            reading.events -= len(members)
            reading.skipped.append(
                Problem(
                    filename,
                    line,
                    "RRULE",
                    _("“%(value)s” cannot be repeated: %(reason)s")
                    % {"value": raw.strip(), "reason": str(exc)[:200]},
                )
            )
    if len(found) > limits.max_busy_times():
        raise too_much(filename)
    reading.skipped.sort(key=lambda p: p.line)
    return found, reading, floating


def too_much(filename: str) -> limits.OverLimit:
    return limits.OverLimit(
        Problem(
            filename,
            1,
            "",
            _(
                "more than %(limit)s busy times in the coming %(days)d days; "
                "is this a calendar of one person?"
            )
            % {"limit": f"{limits.max_busy_times():,}", "days": HORIZON.days},
        )
    )


def read(
    data: bytes,
    filename: str,
    zone,
    keywords: list[str],
    now: datetime | None = None,
    deadline: limits.Deadline | None = None,
) -> Reading:
    """Busy blocks from an .ics file, with the events skipped; ImportFailed over a limit."""
    now = now or timezone.now()
    deadline = deadline or limits.Deadline(filename)
    occurrences, reading, floating = read_events(data, filename, zone, now, deadline)
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        summary = str(event.get("SUMMARY", ""))[:300]
        status = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
        transparent = str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
        try:
            start = event.decoded("DTSTART")
            end = event.decoded("DTEND") if "DTEND" in event else None
            all_day = not isinstance(start, datetime)
            if end is None and "DURATION" in event:
                end = start + event.decoded("DURATION")
        except Exception:  # noqa: BLE001, S112 - checked before; an expanded copy may still surprise
            continue
        if end is None:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        absence = status == "OOF" or _says_away(summary, keywords)
        if transparent and not absence:
            continue  # shown as free: not busy
        if status == "FREE" and not absence:
            continue
        reading.blocks.append(
            {
                "starts_at": _aware(start, zone if all_day else floating),
                "ends_at": _aware(end, zone if all_day else floating),
                "absence": absence,
                "summary": summary,
            }
        )
    return reading


def parse(
    data: bytes,
    filename: str,
    zone,
    keywords: list[str],
    now: datetime | None = None,
    deadline: limits.Deadline | None = None,
) -> Reading:
    """Like ``read``, but a file in which no event could be read is refused, naming the first."""
    reading = read(data, filename, zone, keywords, now, deadline)
    broken = [p for p in reading.skipped if p.fatal_for_row]
    if not reading.events and broken:
        raise ImportFailed(broken[0])
    return reading
