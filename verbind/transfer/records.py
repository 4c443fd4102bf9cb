"""What every importer produces: contact records, and problems that name file, line and field."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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

    def to_json(self) -> str:
        """Kept with an upload, so its preview is never parsed again (a parse can take seconds)."""
        return json.dumps(asdict(self), default=lambda d: d.isoformat())

    @classmethod
    def from_json(cls, text: str) -> Parsed:
        raw = json.loads(text)
        records = []
        for item in raw["records"]:
            met_on = item.pop("met_on")
            records.append(
                ContactRecord(**item, met_on=date.fromisoformat(met_on) if met_on else None)
            )
        return cls(
            raw["format"],
            records,
            [Problem(**problem) for problem in raw["problems"]],
            raw["skipped_empty"],
        )
