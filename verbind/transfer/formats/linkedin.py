"""LinkedIn's Connections.csv: a few lines of notes, then the header, then one row per connection."""

from __future__ import annotations

import functools
from datetime import date, datetime

from verbind.transfer.formats.table import full_name, rows
from verbind.transfer.records import ContactRecord, ImportFailed, Parsed, Problem

REQUIRED = ("First Name", "Last Name", "Connected On")


def header_line(text: str) -> int | None:
    """The 0-based index of the header line, wherever the notes above it end."""
    for index, line in enumerate(text.splitlines()[:50]):
        if all(name in line for name in REQUIRED):
            return index
    return None


@functools.lru_cache(maxsize=4096)
def connected_on(text: str) -> date:
    """A "Connected On" value (15 Jun 2026) as a date. Remembered: a file holds a few hundred
    different days for thousands of rows, and strptime took a sixth of reading one (0.5 s of
    CPU for 30,000 rows)."""
    return datetime.strptime(text, "%d %b %Y").date()


def looks_like(text: str) -> bool:
    return header_line(text) is not None


def parse(text: str, filename: str) -> Parsed:
    at = header_line(text)
    if at is None:
        raise ImportFailed(
            Problem(filename, 1, "", "no LinkedIn header (First Name, Last Name, Connected On)")
        )
    parsed = Parsed("linkedin")
    for line, row in rows(text, filename, header_at=at):
        name = full_name(row.get("First Name", ""), row.get("Last Name", ""))
        email = row.get("Email Address", "")
        if not name and not email:
            parsed.skipped_empty += 1  # a connection who hides their details: only a date
            continue
        record = ContactRecord(
            line=line,
            name=name,
            emails=[email] if email else [],
            organisation=row.get("Company", ""),
            job_title=row.get("Position", ""),
            met_how="LinkedIn",
            url=row.get("URL", "").strip()[:300],
        )
        connected = row.get("Connected On", "")
        if connected:
            try:
                record.met_on = connected_on(connected)
            except ValueError:
                parsed.problems.append(
                    Problem(
                        filename,
                        line,
                        "Connected On",
                        f"“{connected}” is not a date like 15 Jun 2026",
                        fatal_for_row=False,
                    )
                )
        parsed.records.append(record)
    return parsed
