"""Any other CSV: columns found by their (English or Dutch) names, or a mapping given by the user."""

from __future__ import annotations

from datetime import date, datetime

from verbind.transfer.formats.table import header_of, rows
from verbind.transfer.records import ContactRecord, ImportFailed, Parsed, Problem

FIELDS = ("name", "email", "phone", "organisation", "job_title", "notes", "last_contact")
GUESSES = {
    "name": ("name", "naam", "full name", "volledige naam", "contact"),
    "email": ("email", "e-mail", "e-mailadres", "email address", "mail"),
    "phone": ("phone", "telefoon", "telefoonnummer", "mobile", "mobiel", "tel"),
    "organisation": ("organisation", "organization", "company", "bedrijf", "organisatie"),
    "job_title": ("job title", "title", "functie", "position"),
    "notes": ("notes", "notities", "opmerkingen", "note"),
    "last_contact": ("last contact", "last contacted", "laatste contact", "laatst gesproken"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def a_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def mapping_from(spec: str, header: list[str], filename: str) -> dict[str, str]:
    """Parse ``name=Full Name,email=Mail`` into {field: column}, checking both sides."""
    mapping = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or field not in FIELDS:
            raise ImportFailed(
                Problem(filename, 1, field, f"unknown field in --map; use {', '.join(FIELDS)}")
            )
        if column not in header:
            raise ImportFailed(Problem(filename, 1, column, "no such column in the header"))
        mapping[field] = column
    return mapping


def guess_mapping(header: list[str]) -> dict[str, str]:
    lowered = {h.lower(): h for h in header}
    return {field: lowered[g] for field, names in GUESSES.items() for g in names if g in lowered}


def parse(text: str, filename: str, spec: str = "") -> Parsed:
    header = header_of(text)
    mapping = mapping_from(spec, header, filename) if spec else guess_mapping(header)
    if "name" not in mapping and "email" not in mapping:
        raise ImportFailed(
            Problem(
                filename, 1, "", "no name or e-mail column found; say which column holds what (name=Naam, email=Mail)"
            )
        )
    parsed = Parsed("csv")
    for line, row in rows(text, filename):
        value = {f: row.get(column, "") for f, column in mapping.items()}
        last_contact = a_date(value["last_contact"]) if value.get("last_contact") else None
        if value.get("last_contact") and last_contact is None:
            parsed.problems.append(
                Problem(filename, line, "last_contact", "not a date (write it like 2026-05-31)",
                        fatal_for_row=False)
            )
        parsed.records.append(
            ContactRecord(
                line=line,
                name=value.get("name", ""),
                emails=[value["email"]] if value.get("email") else [],
                phones=[value["phone"]] if value.get("phone") else [],
                organisation=value.get("organisation", ""),
                job_title=value.get("job_title", ""),
                notes=value.get("notes", ""),
                last_contact=last_contact,
            )
        )
    return parsed
