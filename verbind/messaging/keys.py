"""Idempotency keys for outbox rows, built here and nowhere else.

A key says which message it is (purpose, what it is about, for whom, which
version), so asking twice for the same message finds the one already written.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime


def _join(*parts: str | int) -> str:
    return ":".join(str(part) for part in parts)


def fresh(key: str) -> str:
    """Another message for the same purpose, after the last one was sent or cancelled."""
    return _join(key, uuid.uuid4().hex[:8])


def one_off(purpose: str, person_id: int) -> str:
    """A draft nobody else will ask for again (each call is a new message)."""
    return fresh(_join(purpose, person_id))


def absence_item(appointment_id: int) -> str:
    """The agenda item of a meeting that falls while its host is away."""
    return _join("absence", appointment_id)


def agenda_draft(item_key: str, member_id: int) -> str:
    """The draft behind an agenda item, one per member (Today's "Open draft")."""
    return _join("draft", item_key, member_id)


def offer(proposal_id: int) -> str:
    return _join("offer", proposal_id)


def escalation(repair_id: int) -> str:
    return _join("escalation", repair_id)


def digest(membership_id: int, day: date) -> str:
    return _join("digest", membership_id, day.isoformat())


def absence_warning(appointment_id: int, host_id: int, starts_at: datetime) -> str:
    """Once per meeting, host and time: a meeting moved into another absence warns again."""
    return _join("absence", appointment_id, host_id, f"{starts_at:%Y%m%d%H%M}")


def handover(appointment_id: int, backup_user_id: int) -> str:
    return _join("handover", appointment_id, backup_user_id)


def invite(template: str, appointment_id: int, sequence: int, side: str) -> str:
    """One per version (SEQUENCE) of the meeting and recipient (relation, host, host-<id>)."""
    return _join(template, appointment_id, sequence, side)


def withdrawal(appointment_id: int, sequence: int, user_id: int) -> str:
    """The CANCEL that takes a meeting out of one colleague's calendar."""
    return _join("cancellation", appointment_id, sequence, user_id)


def team_digest(membership_id: int, week: str) -> str:
    """A manager's weekly team digest: once per ISO week (e.g. 2026-W49)."""
    return _join("team-digest", membership_id, week)


def desk(kind: str, visit_id: int, *about: int) -> str:
    """The desk's mails about one visit: arrived, backup, handed (to whom), note."""
    return _join("desk", kind, visit_id, *about)


def outage_notice(outage_id: int, membership_id: int) -> str:
    """One per mail server outage and owner or manager."""
    return _join("outage", outage_id, membership_id)


def invitation(invitation_id: int) -> str:
    """The mail that carries one invitation's sign-up link (a new invitation, a new key)."""
    return _join("join", invitation_id)
