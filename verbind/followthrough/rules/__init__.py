"""The rules of the follow-through engine, each a query over stored state.

Every rule is a function ``rule(ctx) -> list[AgendaItem]`` for one member at one
moment (``ctx.at``); the agenda is the union of all of them. Rules read indexed
columns only (owner, outcome, due time, a bounded look-back window), so the
agenda grows with what is due, not with history. Apps above followthrough add
their rules with ``register`` from their AppConfig.ready.
"""

from verbind.followthrough.rules.absences import absence_guard
from verbind.followthrough.rules.appointments import (
    new_dates_after_their_cancel,
    thank_you_after_first_meeting,
)
from verbind.followthrough.rules.promises import promise_due_soon
from verbind.followthrough.rules.repairs import repair_due, repair_escalated, repair_stood_in

RULES = [
    repair_due,
    repair_escalated,
    repair_stood_in,
    promise_due_soon,
    new_dates_after_their_cancel,
    thank_you_after_first_meeting,
    absence_guard,
]


def register(rule) -> None:
    """An app above followthrough adds its rule (cadences, introductions, nudges) in ready()."""
    if rule not in RULES:
        RULES.append(rule)


__all__ = ["RULES", "register"]
