"""Google Contacts CSV, in the current layout and the legacy one (numbered column groups)."""

from __future__ import annotations

import re

from verbind.transfer.formats.table import full_name, header_of, rows, split_values
from verbind.transfer.records import ContactRecord, Parsed

GROUP = re.compile(r"^(E-mail|Phone|Organization) (\d+) - (Value|Name|Title)$")


def looks_like(text: str) -> bool:
    header = header_of(text)
    return any(GROUP.match(h) for h in header) and (
        "Given Name" in header or "First Name" in header
    )


def parse(text: str, filename: str) -> Parsed:
    parsed = Parsed("google")
    for line, row in rows(text, filename):
        emails, phones, organisation, title = [], [], "", ""
        for column, value in row.items():
            match = GROUP.match(column)
            if not match or not value:
                continue
            kind, _n, part = match.groups()
            if kind == "E-mail" and part == "Value":
                emails += split_values(value)
            elif kind == "Phone" and part == "Value":
                phones += split_values(value)
            elif kind == "Organization" and part == "Name" and not organisation:
                organisation = value
            elif kind == "Organization" and part == "Title" and not title:
                title = value
        name = row.get("Name", "") or full_name(
            row.get("First Name", "") or row.get("Given Name", ""),
            row.get("Middle Name", "") or row.get("Additional Name", ""),
            row.get("Last Name", "") or row.get("Family Name", ""),
        )
        parsed.records.append(
            ContactRecord(
                line=line,
                name=name or row.get("Nickname", ""),
                emails=emails,
                phones=phones,
                organisation=organisation or row.get("Organization Name", ""),
                job_title=title or row.get("Organization Title", ""),
                notes=row.get("Notes", ""),
            )
        )
    return parsed
