"""What every importer produces: contact records, and problems that name file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from verbind.lib.problems import ImportFailed, Problem  # noqa: F401  (importers raise them)


@dataclass
class ContactRecord:
    line: int
    name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    met_on: date | None = None
    last_contact: date | None = None  # when the file says you were last in touch
    met_how: str = ""
    notes: str = ""
    url: str = ""  # their profile (LinkedIn) or website


@dataclass
class Parsed:
    format: str
    records: list[ContactRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_empty: int = 0  # rows with nothing to import (LinkedIn's hidden connections)
