"""The parts of a relationship's health, and the hook where apps add theirs.

Health is explainable, never a magic number: a list of parts, each with a tone and a
sentence that says why. ``verbind.cadences.health`` computes it from every registered
part; an app adds a part (the give/get ledger of introductions, say) from its
AppConfig.ready with ``register(part)``, importing only this module. A part is a
callable ``part(scope) -> Part | None`` (None: nothing to say for these people).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

GOOD, WATCH, POOR, NONE = "good", "watch", "poor", "none"


@dataclass
class Scope:
    """Whose health: one person, or everyone of an organisation, at one moment."""

    workspace: object
    person_ids: list[int]
    at: datetime
    person: object = None  # set when it is one person
    organisation: object = None  # set when it is an organisation

    @property
    def single(self) -> bool:
        return self.person is not None


@dataclass
class Part:
    key: str  # "recency", "promises", "ledger", …
    title: str  # shown as the part's heading
    tone: str  # GOOD, WATCH, POOR or NONE
    words: str  # why, in a sentence a member reads
    order: int = 100


HealthPart = Callable[[Scope], "Part | None"]
PARTS: list[HealthPart] = []


def register(part: HealthPart) -> None:
    """Add a part of health (from an AppConfig.ready); the order of the parts is theirs."""
    if part not in PARTS:
        PARTS.append(part)
