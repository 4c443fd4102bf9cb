"""From parsed records to a plan: what is new, what updates someone we know, what repeats.

The same e-mail address or phone number means the same person, in the workspace
and within the file. Nothing is written here: the plan is the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.people.models import ContactKind, ContactPoint, Organisation, Person
from verbind.transfer.records import ContactRecord, Parsed, Problem

NEW, UPDATE, SAME, DUPLICATE, LEFT_OUT = "new", "update", "same", "duplicate", "left_out"
EMAIL, PHONE = ContactKind.EMAIL.value, ContactKind.PHONE.value  # also the Person fields
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
    # Further addresses and numbers, as (kind, value): the first of each is the primary.
    more: list[tuple[str, str]] = field(default_factory=list)
    # What the file says otherwise than we know (kept as we know it): field -> (ours, theirs).
    conflicts: dict = field(default_factory=dict)


@dataclass
class Plan:
    filename: str
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_empty: int = 0

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def leave_out(self, lines) -> int:
        """The rows of these lines are not imported (the member left them out in the preview)."""
        lines = {int(line) for line in lines if str(line).isdigit()}
        left = 0
        for row in self.rows:
            if row.record.line in lines and row.action in (NEW, UPDATE):
                row.action = LEFT_OUT
                left += 1
        return left

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
            "left_out": self.count(LEFT_OUT),
            "conflicts": sum(1 for row in self.rows if row.conflicts),
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
        if "<" in value:  # "Sanne Vermeulen <sanne@…>", as lists and some CSVs write it
            value = parseaddr(value)[1] or value
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
        if value not in emails:
            emails.append(value)
    phones = []
    for raw in record.phones:
        try:
            number = normalise_phone(raw, region)
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
            continue
        if number and number not in phones:
            phones.append(number)
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
    # Every address and number known in the workspace, primary ones first: a row matches
    # someone by any of theirs. Two queries for the whole file, never one per row.
    known = {EMAIL: {}, PHONE: {}}
    organisations = dict(Organisation.objects.in_workspace(workspace).values_list("id", "name"))
    for pk, email, phone in Person.objects.in_workspace(workspace).values_list(
        "id", "email", "phone"
    ):
        if email:
            known[EMAIL].setdefault(email, pk)
        if phone:
            known[PHONE].setdefault(phone, pk)
    for kind, value, person_id in ContactPoint.objects.in_workspace(workspace).values_list(
        "kind", "value", "person_id"
    ):
        known[kind].setdefault(value, person_id)
    # Each row cleaned first; then only the people the file names are read in full.
    cleaned = [(record, *normalise(record, filename, region)) for record in parsed.records]
    named = {
        known[kind][value]
        for record, _email, _phone, _problems in cleaned
        for kind, value in _values(record)
        if value in known[kind]
    }
    people = Person.objects.in_workspace(workspace).only(*KEPT).in_bulk(named)
    seen = {EMAIL: {}, PHONE: {}}  # within the file: value → the line of its row
    by_line: dict[int, Row] = {}
    for record, email, phone, problems in cleaned:
        plan.problems += problems
        if any(p.fatal_for_row for p in problems):
            continue
        values = _values(record)
        earlier = next((seen[k][v] for k, v in values if v in seen[k]), None)
        if earlier is not None:
            row = Row(record, DUPLICATE, email, phone, same_as_line=earlier)
            plan.rows.append(row)
            # What the repeat adds (a second number) goes with the first row.
            first = by_line[earlier]
            for kind, value in values:
                if value not in seen[kind] and value not in known[kind]:
                    _give(first, kind, value, people.get(first.person_id))
                    seen[kind][value] = earlier
            continue
        for kind, value in values:
            seen[kind].setdefault(value, record.line)
        match = next((known[k][v] for k, v in values if v in known[k]), None)
        if match is None:
            row = Row(record, NEW, email, phone)
            row.more = [(k, v) for k, v in values if v not in (email, phone)]
        else:
            changes = _fill_in(people[match], record, known, match)
            row = Row(record, SAME, email, phone, match, changes)
            row.conflicts = _conflicts(people[match], record, organisations)
            for kind, value in values:
                if value not in known[kind] and value != changes.get(kind):
                    row.more.append((kind, value))
            if row.changes or row.more:
                row.action = UPDATE
        plan.rows.append(row)
        by_line[record.line] = row
    return plan


# What a match is compared with (``_fill_in``, ``_conflicts``).
KEPT = (
    "id",
    "email",
    "phone",
    "organisation_id",
    "job_title",
    "met_on",
    "met_how",
    "notes",
    "profile_url",
)


def _values(record: ContactRecord) -> list[tuple[str, str]]:
    return [(EMAIL, e) for e in record.emails] + [(PHONE, p) for p in record.phones]


def _give(row: Row, kind: str, value: str, person) -> None:
    """One more address or number for the person of *row*: the primary if they have none."""
    if row.action == NEW:
        if not getattr(row, kind):
            setattr(row, kind, value)
        else:
            row.more.append((kind, value))
        return
    if not getattr(person, kind) and kind not in row.changes:
        row.changes[kind] = value
    else:
        row.more.append((kind, value))
    row.action = UPDATE


def _fill_in(person, record: ContactRecord, known: dict, match: int) -> dict:
    """What the file adds to someone we know: only fields still empty; nothing is overwritten.

    An address or number that is someone else's does not become theirs.
    """
    changes = {}
    for kind, values in ((EMAIL, record.emails), (PHONE, record.phones)):
        free = [v for v in values if known[kind].get(v, match) == match]
        if free and not getattr(person, kind):
            changes[kind] = free[0]
    if record.organisation and person.organisation_id is None:
        changes["organisation"] = record.organisation
    for name in ("job_title", "met_how", "notes"):
        if getattr(record, name) and not getattr(person, name):
            changes[name] = getattr(record, name)
    if record.met_on and person.met_on is None:
        changes["met_on"] = record.met_on
    if record.url and not person.profile_url:
        changes["profile_url"] = record.url
    return changes


def _conflicts(person, record: ContactRecord, organisations: dict) -> dict:
    """Where the file says otherwise than we know: shown in the preview, never written."""
    found = {}
    ours = organisations.get(person.organisation_id, "")
    if record.organisation and ours and record.organisation.lower() != ours.lower():
        found["organisation"] = (ours, record.organisation)
    if record.job_title and person.job_title and record.job_title != person.job_title:
        found["job_title"] = (person.job_title, record.job_title)
    return found
