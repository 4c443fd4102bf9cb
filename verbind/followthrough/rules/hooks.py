"""Rules whose state arrives with later capabilities. Until then they find nothing.

Each keeps its name and place in the agenda so the capability that brings its
data only has to write the query:

- cadence due — time to get in touch again with a person (keep-in-touch cadences);
- introduction follow-up — three weeks after an introduction (introductions);
- nudge step — the next patient follow-up of a nudge sequence (nudges).
"""

from __future__ import annotations

from verbind.followthrough.rules.base import AgendaItem, Context


def cadence_due(ctx: Context) -> list[AgendaItem]:
    return []


def introduction_follow_up(ctx: Context) -> list[AgendaItem]:
    return []


def nudge_step(ctx: Context) -> list[AgendaItem]:
    return []
