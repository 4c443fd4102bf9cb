"""vCard 2.1, 3.0 and 4.0 files with many contacts.

vobject reads 3.0 and 4.0 well. The 2.1 that Android, Outlook and older iPhones
write trips it up (quoted-printable soft line breaks, CHARSET parameters, base64
photo blocks without folding), and its "ignore unreadable" mode silently loses
names and notes. So a small pre-pass of our own first turns every card into
clean 3.0 lines — unfolded, decoded, photos left out — and remembers the line
each card starts on, for error messages.
"""

from __future__ import annotations

import quopri
import re

import vobject

from verbind.transfer.records import ContactRecord, ImportFailed, Parsed, Problem

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


def clean(line: str) -> str | None:
    """One logical line as vCard 3.0: quoted-printable decoded into UTF-8, photos dropped."""
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
    for number, line in logical_lines(text):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            current, start = [], number
            continue
        if upper == "END:VCARD":
            if current is not None:
                found.append((start, current))
            current = None
            continue
        if current is not None:
            cleaned = clean(line)
            if cleaned is not None and cleaned.strip():
                current.append((number, cleaned))
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


def _values(card, name: str) -> list[str]:
    return [
        str(item.value).strip() for item in card.contents.get(name, []) if str(item.value).strip()
    ]


def parse(text: str, filename: str) -> Parsed:
    found = cards(text)
    if not found:
        raise ImportFailed(Problem(filename, 1, "", "no BEGIN:VCARD … END:VCARD card in the file"))
    parsed = Parsed("vcard")
    for start, lines in found:
        body = "BEGIN:VCARD\r\n" + "\r\n".join(text for _n, text in lines) + "\r\nEND:VCARD\r\n"
        try:
            card = vobject.readOne(body)
        except Exception as exc:  # noqa: BLE001 - vobject raises many kinds; each names the problem
            parsed.problems.append(_problem(filename, start, lines, exc))
            continue
        name = (_values(card, "fn") or [""])[0]
        if not name and "n" in card.contents:
            n = card.n.value
            name = " ".join(p for p in (n.prefix, n.given, n.additional, n.family) if p).strip()
        organisation = ""
        if "org" in card.contents:
            org = card.org.value
            organisation = (org[0] if isinstance(org, list) and org else str(org)).strip()
        parsed.records.append(
            ContactRecord(
                line=start,
                name=name,
                emails=_values(card, "email"),
                phones=[v.removeprefix("tel:") for v in _values(card, "tel")],
                organisation=organisation,
                job_title=(_values(card, "title") or [""])[0],
                notes=(_values(card, "note") or [""])[0],
            )
        )
    return parsed
