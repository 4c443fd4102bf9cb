"""An .ics file cut into its events, as forgiving of its framing as the big calendar services.

Exports are rarely perfect: a missing END:VCALENDAR or END:VEVENT, bare LF or
CR line ends, a line folded in the middle of a UTF-8 character, a long text
continued on the next line without the space that marks a fold, one event in
Windows-1252 among UTF-8 ones, blank lines, a byte-order mark. Each event is
cut out here with the line it starts on, so that one broken event costs only
itself, and a message can name its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# A content line starts with a name (perhaps a group) and then ";" or ":".
PROPERTY = re.compile(rb"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)?[;:]")


@dataclass
class Chunk:
    """One event: the line of its BEGIN:VEVENT, and its unfolded lines with their line numbers."""

    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)

    def text(self) -> str:
        return "\r\n".join(text for _n, text in self.lines) + "\r\nEND:VEVENT\r\n"

    def line_of(self, name: str) -> tuple[int, str]:
        """The line number and the value of the first property called *name* (or the event's line)."""
        wanted = name.upper()
        for number, text in self.lines:
            head = text.split(":", 1)[0].split(";", 1)[0].upper()
            if head == wanted:
                return number, text.split(":", 1)[1] if ":" in text else ""
        return self.line, ""


@dataclass
class Cut:
    events: list[Chunk] = field(default_factory=list)
    timezones: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # the calendar's own: X-WR-TIMEZONE


def _text(raw: bytes) -> str:
    """UTF-8, else Windows-1252 for this line alone (one event pasted from an older program)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def logical_lines(data: bytes) -> list[tuple[int, str]]:
    """Unfolded lines with the number of the line each starts on.

    Unfolding happens on bytes, before decoding, so a fold inside a UTF-8
    character (Outlook folds at 75 bytes) joins it whole again.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode()
    data = data.removeprefix(b"\xef\xbb\xbf")
    physical = data.split(b"\n") if b"\n" in data else data.split(b"\r")
    found: list[tuple[int, bytearray]] = []
    for number, raw in enumerate(physical, start=1):
        raw = raw.rstrip(b"\r")
        if raw[:1] in (b" ", b"\t"):
            if found:
                found[-1][1].extend(raw[1:])
            continue
        if not raw.strip():
            continue
        if found and not PROPERTY.match(raw):
            found[-1][1].extend(raw)  # a text continued without the space of a fold
            continue
        found.append((number, bytearray(raw)))
    return [(number, _text(bytes(raw))) for number, raw in found]


def cut(data: bytes) -> Cut:
    """The events, time zones and calendar properties of a file, whatever its framing."""
    result = Cut()
    event: Chunk | None = None
    zone: list[str] | None = None
    skipping: list[str] = []  # components we do not read (alarms, tasks), innermost last

    def close_event() -> None:
        nonlocal event
        if event is not None:
            result.events.append(event)
        event = None

    for number, line in logical_lines(data):
        upper = line.upper().rstrip()
        if skipping:
            if upper.startswith("END:") and upper[4:].strip() == skipping[-1]:
                skipping.pop()
            elif upper.startswith("BEGIN:VEVENT"):
                skipping.clear()  # an alarm never closed: the next event starts anyway
            elif upper.startswith("BEGIN:"):
                skipping.append(upper[6:].strip())
            if not upper.startswith("BEGIN:VEVENT"):
                continue
        if upper.startswith("BEGIN:VEVENT"):
            close_event()  # an event not closed with END:VEVENT ends where the next begins
            if zone is not None:
                zone = None
            event = Chunk(number, [(number, "BEGIN:VEVENT")])
        elif upper.startswith("END:VEVENT"):
            close_event()
        elif upper.startswith("BEGIN:VTIMEZONE") and event is None:
            zone = [line]
        elif upper.startswith("END:VTIMEZONE") and zone is not None:
            zone.append(line)
            result.timezones.append("\r\n".join(zone))
            zone = None
        elif upper.startswith("END:VCALENDAR"):
            close_event()
        elif upper.startswith("BEGIN:VCALENDAR"):
            close_event()
        elif upper.startswith("BEGIN:") and zone is None:
            skipping.append(upper[6:].strip())
        elif zone is not None:
            zone.append(line)
        elif event is not None:
            event.lines.append((number, line))
        elif ":" in line:
            name, value = line.split(":", 1)
            result.properties.setdefault(name.split(";", 1)[0].upper(), value.strip())
    close_event()
    return result
