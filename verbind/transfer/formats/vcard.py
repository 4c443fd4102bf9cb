"""vCard 2.1, 3.0 and 4.0 files with many contacts.

vobject reads 3.0 and 4.0 well. The 2.1 that Android, Outlook and older iPhones
write trips it up (quoted-printable soft line breaks, CHARSET parameters, base64
photo blocks without folding), and its "ignore unreadable" mode silently loses
names and notes. So a small pre-pass of our own first turns every card into
clean 3.0 lines — unfolded, decoded, photos left out — and remembers the line
each card starts on, for error messages.
"""

from __future__ import annotations

import logging
import quopri
import re

import vobject
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


def _problem(filename: str, start: int, lines: list[tuple[int, str]], exc: Exception) -> Problem:
    """Name the line of the file vobject choked on (its own line count is not the file's)."""
    message = re.sub(r"^At line \d+: ", "", str(exc)).strip()
    line, field = start, ""
    bad = re.search(r"Failed to parse line: (.*)", message)
    for number, text in lines:
        if (bad and text.strip() == bad[1].strip()) or (
            not bad and text.split(":", 1)[0] in message
        ):
            line, field = number, text.split(":", 1)[0].split(";", 1)[0][:40]
            break
    return Problem(filename, line, field, f"unreadable card: {message}")


def _flat(value) -> list[str]:
    """Text parts of a value, however vobject shaped it: a string, a list, lists in a list.

    A comma splits a value into a list in some properties (N, ORG, CATEGORIES)
    and a vCard 2.1 export escapes none; what matters is the text.
    """
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [part for item in value for part in _flat(item)]
    text = str(value).strip()
    return [text] if text else []


def _values(card, name: str) -> list[str]:
    return [
        " ".join(_flat(item.value)) for item in card.contents.get(name, []) if _flat(item.value)
    ]


def _name(card) -> str:
    name = (_values(card, "fn") or [""])[0]
    if name or "n" not in card.contents:
        return name
    n = card.contents["n"][0].value
    if hasattr(n, "family"):
        parts = [getattr(n, part, "") for part in ("prefix", "given", "additional", "family")]
    else:  # vobject could not make a structured name of it: the text as written
        parts = [n]
    return " ".join(part for value in parts for part in _flat(value)).strip()


def _organisation(card) -> str:
    if "org" not in card.contents:
        return ""
    return next(iter(_flat(card.contents["org"][0].value)), "")


def _record(card, start: int) -> ContactRecord:
    return ContactRecord(
        line=start,
        name=_name(card),
        emails=_values(card, "email"),
        phones=[v.removeprefix("tel:") for v in _values(card, "tel")],
        organisation=_organisation(card),
        job_title=(_values(card, "title") or [""])[0],
        notes=(_values(card, "note") or [""])[0],
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
        if index % 100 == 0:
            deadline.check(start)
        body = "BEGIN:VCARD\r\n" + "\r\n".join(text for _n, text in lines) + "\r\nEND:VCARD\r\n"
        try:
            card = vobject.readOne(body)
        except Exception as exc:  # noqa: BLE001 - vobject raises many kinds; each names the problem
            parsed.problems.append(_problem(filename, start, lines, exc))
            continue
        try:
            parsed.records.append(_record(card, start))
        except Exception as exc:  # noqa: BLE001 - a shape of card no program should write
            log.warning("card at line %s of %s: %r", start, filename, exc)
            parsed.problems.append(
                Problem(filename, start, "", f"unreadable card: {type(exc).__name__}")
            )
    return parsed
