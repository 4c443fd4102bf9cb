"""Idempotency keys of the introductions' outbox rows (in the style of ``messaging.keys``).

``intro:<id>:<role>``: one message per introduction and role, so a second click, a
second worker or a retried pass finds the one already written. ``role_of`` reads a
key back when the outbox tells us a message was released.
"""

from __future__ import annotations

PREFIX = "intro"

# What a message does for the introduction.
ASK_B, REMIND_B, ASK_A, REMIND_A = "ask_b", "remind_b", "ask_a", "remind_a"
JOINT_A, JOINT_B, LET_DOWN = "joint_a", "joint_b", "let_down"
FOLLOW_UP_A, FOLLOW_UP_B, THANKS = "follow_up_a", "follow_up_b", "thanks"
ROLES = {
    ASK_B,
    REMIND_B,
    ASK_A,
    REMIND_A,
    JOINT_A,
    JOINT_B,
    LET_DOWN,
    FOLLOW_UP_A,
    FOLLOW_UP_B,
    THANKS,
}


def message(introduction_id: int, role: str) -> str:
    return f"{PREFIX}:{introduction_id}:{role}"


def prefix(introduction_id: int) -> str:
    return f"{PREFIX}:{introduction_id}:"


def role_of(key: str) -> tuple[int, str] | None:
    """(introduction id, role) of one of our keys; None for any other message."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isdigit() or parts[2] not in ROLES:
        return None
    return int(parts[1]), parts[2]
