"""A problem found in a file a person gave us, named by file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

from verbind.lib.refusals import Invalid


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


class ImportFailed(Invalid):
    """The file as a whole cannot be read (wrong encoding, not a contacts file, too big)."""

    code = "unreadable_file"

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem
