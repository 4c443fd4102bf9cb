"""What every importer produces: contact records, and problems that name file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Problem:
    file: str
    line: int
    field: str
    message: str
    fatal_for_row: bool = True  # False: the contact is imported, this one value is left out

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The file as a whole cannot be read (wrong encoding, not a contacts file)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class ContactRecord:
    line: int
    name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    met_on: date | None = None
    met_how: str = ""
    notes: str = ""


@dataclass
class Parsed:
    format: str
    records: list[ContactRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped_empty: int = 0  # rows with nothing to import (LinkedIn's hidden connections)
