"""From parsed records to a plan: what is new, what updates someone we know, what repeats.

The same e-mail address or phone number means the same person, in the workspace
and within the file. Nothing is written here: the plan is the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.people.models import Person
from verbind.transfer.records import ContactRecord, Parsed, Problem

NEW, UPDATE, SAME, DUPLICATE = "new", "update", "same", "duplicate"
LIMITS = {"name": 200, "organisation": 200, "job_title": 200, "met_how": 300}


@dataclass
class Row:
    record: ContactRecord
    action: str
    email: str = ""
    phone: str = ""
    person_id: int | None = None
    changes: dict = field(default_factory=dict)
    same_as_line: int | None = None


@dataclass
class Plan:
    filename: str
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_empty: int = 0

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal_for_row]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.fatal_for_row]

    def summary(self) -> dict:
        return {
            "file": self.filename,
            "format": self.format,
            "new": self.count(NEW),
            "updated": self.count(UPDATE),
            "unchanged": self.count(SAME),
            "duplicates_in_file": self.count(DUPLICATE),
            "skipped_empty": self.skipped_empty,
            "errors": [str(p) for p in self.errors],
            "warnings": [str(p) for p in self.warnings],
        }


def normalise(record: ContactRecord, filename: str, region: str) -> tuple[str, str, list[Problem]]:
    """Clean the record in place; returns its first e-mail and phone, and what was wrong."""
    problems: list[Problem] = []
    record.name = " ".join(record.name.split())
    emails = []
    for raw in record.emails:
        value = raw.strip().lower()
        try:
            validate_email(value)
        except ValidationError:
            problems.append(
                Problem(
                    filename,
                    record.line,
                    "e-mail",
                    f"“{raw}” is not an e-mail address; left out",
                    fatal_for_row=False,
                )
            )
            continue
        emails.append(value)
    phones = []
    for raw in record.phones:
        try:
            phones.append(normalise_phone(raw, region))
        except BadPhoneNumber:
            problems.append(
                Problem(
                    filename,
                    record.line,
                    "phone",
                    f"“{raw}” is not a phone number; left out",
                    fatal_for_row=False,
                )
            )
    record.emails, record.phones = emails, phones
    if not record.name:
        record.name = emails[0] if emails else ""
    if not record.name:
        problems.append(
            Problem(filename, record.line, "name", "a contact needs a name or an e-mail address")
        )
    for name, limit in LIMITS.items():
        if len(getattr(record, name)) > limit:
            problems.append(Problem(filename, record.line, name, f"longer than {limit} characters"))
    return (emails[0] if emails else ""), (phones[0] if phones else ""), problems


def make_plan(parsed: Parsed, workspace, filename: str, region: str = "NL") -> Plan:
    plan = Plan(
        filename, parsed.format, problems=list(parsed.problems), skipped_empty=parsed.skipped_empty
    )
    known_email: dict[str, int] = {}
    known_phone: dict[str, int] = {}
    people = {}
    for person in Person.objects.in_workspace(workspace).only(
        "id", "email", "phone", "organisation_id", "job_title", "met_on", "met_how", "notes"
    ):
        people[person.pk] = person
        if person.email:
            known_email.setdefault(person.email, person.pk)
        if person.phone:
            known_phone.setdefault(person.phone, person.pk)
    seen_email: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    for record in parsed.records:
        email, phone, problems = normalise(record, filename, region)
        plan.problems += problems
        if any(p.fatal_for_row for p in problems):
            continue
        earlier = next(
            (seen_email[e] for e in record.emails if e in seen_email),
            next((seen_phone[p] for p in record.phones if p in seen_phone), None),
        )
        if earlier is not None:
            plan.rows.append(Row(record, DUPLICATE, email, phone, same_as_line=earlier))
            continue
        for e in record.emails:
            seen_email.setdefault(e, record.line)
        for p in record.phones:
            seen_phone.setdefault(p, record.line)
        match = next(
            (known_email[e] for e in record.emails if e in known_email),
            next((known_phone[p] for p in record.phones if p in known_phone), None),
        )
        if match is None:
            plan.rows.append(Row(record, NEW, email, phone))
            continue
        changes = _fill_in(people[match], record, email, phone)
        plan.rows.append(Row(record, UPDATE if changes else SAME, email, phone, match, changes))
    return plan


def _fill_in(person, record: ContactRecord, email: str, phone: str) -> dict:
    """What the file adds to someone we know: only fields still empty; nothing is overwritten."""
    changes = {}
    if email and not person.email:
        changes["email"] = email
    if phone and not person.phone:
        changes["phone"] = phone
    if record.organisation and person.organisation_id is None:
        changes["organisation"] = record.organisation
    for name in ("job_title", "met_how", "notes"):
        if getattr(record, name) and not getattr(person, name):
            changes[name] = getattr(record, name)
    if record.met_on and person.met_on is None:
        changes["met_on"] = record.met_on
    return changes
