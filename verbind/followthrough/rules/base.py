"""What a rule gets (the member, the moment, the workspace's timings) and what it gives back."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from verbind.followthrough.models import RuleSettings

# How urgent an item is; the agenda sorts on this first, then on due time.
OVERDUE = 0
TODAY = 1
COMING = 2

# How far back the rules that react to a past event look. A thank-you owed for a
# meeting months ago is no longer a to-do; this keeps those queries bounded.
LOOK_BACK = timedelta(days=30)

# What the agenda never shows of a person and their organisation (notes can be long): rule
# queries leave it out, and it is read only if a draft asks for it.
PERSON_UNSHOWN = ("notes", "met_how", "met_on", "profile_url", "created_at")
ORGANISATION_UNSHOWN = ("notes", "website", "city", "created_at")


def unshown(person: str = "person") -> list[str]:
    """For ``.defer()``: the unshown columns of the person at *person* and of their organisation."""
    return [f"{person}__{name}" for name in PERSON_UNSHOWN] + [
        f"{person}__organisation__{name}" for name in ORGANISATION_UNSHOWN
    ]


@dataclass
class Context:
    workspace: object
    member: object  # a user
    at: datetime
    zone: zoneinfo.ZoneInfo
    settings: RuleSettings

    @property
    def values(self) -> dict:
        """The values most rule queries ask with (see lib.prepared)."""
        return {"workspace": self.workspace.pk, "member": self.member.pk, "at": self.at}

    @cached_property
    def end_of_day(self) -> datetime:
        local = self.at.astimezone(self.zone)
        midnight = datetime.combine(
            local.date() + timedelta(days=1), datetime.min.time(), self.zone
        )
        return midnight

    def urgency(self, due_by: datetime, overdue_means_urgent: bool = True) -> int:
        if due_by <= self.at and overdue_means_urgent:
            return OVERDUE
        if due_by < self.end_of_day:
            return TODAY
        return COMING


@dataclass
class AgendaItem:
    key: str  # stable: the same item keeps its key, so a snooze sticks to it
    rule: str
    why: str
    due_by: datetime
    urgency: int
    person: object
    obligation: object = None  # the appointment or promise it concerns
    repair: object = None
    purpose: str = ""  # the draft it offers ("apology", "new_dates", "thank_you", …)
    actions: list[str] = field(default_factory=list)
    context: dict = field(default_factory=dict)  # filled by the agenda for display
    # Where to act on it when that is a page of its own (an introduction, a suggestion).
    link: str = ""
    link_text: str = ""
    # For rules added above followthrough: what writes the item's draft, a callable
    # (membership, item, key) -> OutboxMessage, and the page where the item is decided.
    drafter: object = None
    url: str = ""

    @property
    def sort_key(self):
        return (self.urgency, self.due_by, self.key)
