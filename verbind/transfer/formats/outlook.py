"""Outlook CSV: the desktop export, Outlook.com's, and the 'Outlook CSV' Google writes."""

from __future__ import annotations

from verbind.transfer.formats.table import full_name, header_of, rows
from verbind.transfer.records import ContactRecord, Parsed

EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
PHONES = (
    "Mobile Phone",
    "Business Phone",
    "Business Phone 2",
    "Home Phone",
    "Home Phone 2",
    "Primary Phone",
    "Other Phone",
    "Company Main Phone",
    "Car Phone",
)


def looks_like(text: str) -> bool:
    header = header_of(text)
    return "E-mail Address" in header and "First Name" in header


def parse(text: str, filename: str) -> Parsed:
    parsed = Parsed("outlook")
    for line, row in rows(text, filename):
        name = full_name(
            row.get("First Name", ""), row.get("Middle Name", ""), row.get("Last Name", "")
        )
        parsed.records.append(
            ContactRecord(
                line=line,
                name=name or row.get("Display Name", "") or row.get("Nickname", ""),
                emails=[row[c] for c in EMAILS if row.get(c)],
                phones=[row[c] for c in PHONES if row.get(c)],
                organisation=row.get("Company", ""),
                job_title=row.get("Job Title", ""),
                notes=row.get("Notes", ""),
            )
        )
    return parsed
