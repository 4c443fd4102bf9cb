"""vCard 2.1, 3.0 and 4.0 files with many contacts.

A pre-pass turns every card into clean 3.0 lines — unfolded, quoted-printable
and CHARSET decoded, 2.1's bare types and unescaped commas made 3.0, base64
photo blocks left out — and remembers the line each starts on, for messages.
Then only the properties Verbind keeps (FN, N, ORG, TITLE, NOTE, EMAIL, TEL) are
read, whatever group (item1.) or parameters they carry. vobject read all of a
card at a few milliseconds each and refused a card over a parameter it did not
know; the file is not a calendar of rules, so a small reader does better here.
"""

from __future__ import annotations

import logging
import quopri
import re

from django.utils.translation import gettext as _

from verbind.lib import limits
from verbind.transfer.records import ContactRecord, ImportFailed, Parsed, Problem

log = logging.getLogger(__name__)

SKIPPED = ("PHOTO", "LOGO", "SOUND", "KEY")  # pictures and keys: left out, never a reason to fail
PROPERTY = re.compile(r"^(?P<name>[A-Za-z0-9.-]+)(?P<params>(;[^:]*)?):(?P<value>.*)$", re.S)


def looks_like(text: str) -> bool:
    return "BEGIN:VCARD" in text[:4096].upper()


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfold RFC line folding and quoted-printable soft breaks; keep each line's number."""
    result: list[tuple[int, str]] = []
    in_base64 = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_base64:  # 2.1 base64 blocks run until an empty line or the next property
            if not raw.strip() or raw[:1] in (" ", "\t") or not PROPERTY.match(raw):
                if not raw.strip():
                    in_base64 = False
                continue
            in_base64 = False
        if result and _soft_break(result[-1][1]):  # before folding: the space belongs to the text
            start, previous = result[-1]
            result[-1] = (start, previous[:-1] + raw)
            continue
        if raw[:1] in (" ", "\t") and result:
            start, previous = result[-1]
            result[-1] = (start, previous + raw[1:])
            continue
        if re.match(r"^(PHOTO|LOGO|SOUND|KEY)[;:]", raw, re.I) and re.search(
            r"ENCODING=(B|BASE64)|;BASE64", raw, re.I
        ):
            in_base64 = True
        result.append((number, raw))
    return result


def _soft_break(line: str) -> bool:
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head and line.endswith("=")


def clean(line: str, version: str = "3.0") -> str | None:
    """One logical line as vCard 3.0: quoted-printable decoded into UTF-8, photos dropped.

    vCard 2.1 knows no comma as a separator, so its commas ("Acme, Inc.") are text.
    """
    match = PROPERTY.match(line)
    if not match:
        return line
    name, params, value = match["name"], match["params"], match["value"]
    bare = name.split(".")[-1].upper()
    if bare in SKIPPED:
        return None
    if bare == "VERSION":
        return "VERSION:3.0"
    parts = [p for p in params.split(";") if p]
    upper = [p.upper() for p in parts]
    if "ENCODING=QUOTED-PRINTABLE" in upper or "QUOTED-PRINTABLE" in upper:
        charset = next(
            (p.split("=", 1)[1] for p in parts if p.upper().startswith("CHARSET=")), "utf-8"
        )
        raw = quopri.decodestring(value.encode("latin-1", "replace"))
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("cp1252", "replace")
        # Decoded text is 3.0 text now: escape what 3.0 reads as structure (not N's and ORG's ";").
        value = (
            value.replace("\\", "\\\\")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\n", "\\n")
        )
    elif version.startswith("2"):
        value = re.sub(r"(?<!\\),", r"\\,", value)
    kept = [
        p
        for p in parts
        if not p.upper().startswith(("ENCODING=", "CHARSET="))
        and p.upper() not in ("QUOTED-PRINTABLE", "8BIT", "7BIT")
    ]
    # 2.1 writes bare types (TEL;CELL;VOICE); 3.0 wants TYPE=…
    kept = [p if "=" in p else f"TYPE={p}" for p in kept]
    return name + "".join(";" + p for p in kept) + ":" + value


def cards(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Each card: the line it starts on, and its cleaned lines with their own line numbers."""
    found: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] | None = None
    start = 0
    version = "3.0"
    for number, line in logical_lines(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if current:  # the card before it was never closed: it ends here
                found.append((start, current))
            current, start, version = [], number, "3.0"
            continue
        if upper.startswith("VERSION:"):
            version = upper.split(":", 1)[1].strip()
        if upper == "END:VCARD":
            if current is not None:
                found.append((start, current))
            current = None
            continue
        if current is not None:
            cleaned = clean(line, version)
            if cleaned is not None and cleaned.strip():
                current.append((number, cleaned))
    if current:  # the file ends inside a card (a cut-off export): read what is there
        found.append((start, current))
    return found


def _unescape(text: str) -> str:
    """RFC 6350 text: \\n is a new line; \\, \\; and \\\\ are the characters themselves."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nN" else m[1], text).strip()


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator that is not escaped."""
    return re.split(rf"(?<!\\){re.escape(separator)}", text)


def _words(component: str) -> str:
    """One part of a structured value; a list in it ("Anna,Maria") is read as words."""
    return " ".join(w for w in (_unescape(p) for p in _split(component, ",")) if w)


class _Card:
    """The properties we read of one card, by bare name (groups such as item1. dropped)."""

    def __init__(self):
        self.values: dict[str, list[str]] = {}

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def texts(self, name: str) -> list[str]:
        return [t for t in (_unescape(v) for v in self.values.get(name, [])) if t]

    def first(self, name: str) -> str:
        return next(iter(self.texts(name)), "")


WANTED = ("FN", "N", "ORG", "TITLE", "NOTE", "EMAIL", "TEL")


def _read_card(filename: str, lines: list[tuple[int, str]]) -> _Card | Problem:
    """The card's properties, or the problem of its first line that is no property at all.

    Only the properties Verbind keeps are read, and read forgivingly: vobject took
    milliseconds per card (a minute for 20,000) and refused whole cards over a
    parameter it did not know.
    """
    card = _Card()
    for number, text in lines:
        match = PROPERTY.match(text)
        if not match:
            shown = text.strip()[:60]
            return Problem(
                filename, number, "", f"unreadable card: “{shown}” is not a property (NAME:value)"
            )
        bare = match["name"].split(".")[-1].upper()
        if bare in WANTED:
            card.add(bare, match["value"])
    return card


def _name(card: _Card) -> str:
    name = card.first("FN")
    if name or "N" not in card.values:
        return name
    parts = [_words(p) for p in _split(card.values["N"][0], ";")] + [""] * 5
    family, given, additional, prefix = parts[0], parts[1], parts[2], parts[3]
    return " ".join(p for p in (prefix, given, additional, family) if p)


def _organisation(card: _Card) -> str:
    for value in card.values.get("ORG", []):
        first = _words(_split(value, ";")[0])
        if first:
            return first
    return ""


def _record(card: _Card, start: int) -> ContactRecord:
    return ContactRecord(
        line=start,
        name=_name(card),
        emails=card.texts("EMAIL"),
        phones=[v.removeprefix("tel:").strip() for v in card.texts("TEL")],
        organisation=_organisation(card),
        job_title=card.first("TITLE"),
        notes=card.first("NOTE"),
    )


def parse(text: str, filename: str) -> Parsed:
    count = text.upper().count("BEGIN:VCARD")
    if count > limits.max_contacts():
        raise limits.too_many(filename, count, limits.max_contacts(), _("contacts"))
    deadline = limits.Deadline(filename)
    found = cards(text)
    if not found:
        raise ImportFailed(Problem(filename, 1, "", "no BEGIN:VCARD … END:VCARD card in the file"))
    parsed = Parsed("vcard")
    for index, (start, lines) in enumerate(found):
        if index % 500 == 0:
            deadline.check(start)
        try:
            card = _read_card(filename, lines)
            if isinstance(card, Problem):
                parsed.problems.append(card)
                continue
            parsed.records.append(_record(card, start))
        except Exception as exc:  # noqa: BLE001 - a shape of card no program should write
            log.warning("card at line %s of %s: %r", start, filename, exc)
            parsed.problems.append(
                Problem(filename, start, "", f"unreadable card: {type(exc).__name__}")
            )
    return parsed
