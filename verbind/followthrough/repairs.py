"""Opening, recording and closing repairs — the engine's promise that a lapse is never left silent."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from verbind.followthrough.models import (
    ClosedBecause,
    Lapse,
    LapseKind,
    Repair,
    RepairState,
    RuleSettings,
)
from verbind.lib.events import tell
from verbind.lib.prepared import Prepared
from verbind.obligations.models import (
    Appointment,
    AppointmentStatus,
    Promise,
    PromiseStatus,
    TransitionRefused,
)
from verbind.scheduling.absences import stand_in
from verbind.workspaces.models import Membership, Role, membership_of

# The worker asks these for every late promise and every overdue repair: prepared once
# (lib.prepared). The open repair of an obligation, by the lapse's field that holds it:
OPEN_REPAIR = {
    field: Prepared(
        lambda v, field=field: Repair.objects.filter(
            **{f"lapse__{field}_id": v.obligation}, state=RepairState.OPEN
        ).order_by("pk")[:1]
    )
    for field in ("appointment", "promise")
}
# The first member with a role, other than the repair's owner (escalation's manager):
FIRST_WITH_ROLE = Prepared(
    lambda v: (
        Membership.objects.filter(workspace_id=v.workspace, role=v.role)
        .exclude(user_id=v.owner)
        .select_related("user")
        .order_by("joined_at", "id")[:1]
    )
)


def lapse_kind(obligation) -> str | None:
    """Which lapse, if any, the obligation's current state means for our side."""
    if isinstance(obligation, Appointment):
        return {
            AppointmentStatus.MISSED_BY_US: LapseKind.MISSED_BY_US,
            AppointmentStatus.CANCELLED_BY_US: LapseKind.CANCELLED_BY_US,
        }.get(obligation.status)
    if isinstance(obligation, Promise) and obligation.status == PromiseStatus.BROKEN:
        return LapseKind.PROMISE_BROKEN
    return None


def open_repair(obligation, kind: str, occurred_at=None) -> Repair:
    """Record the lapse and open its repair; safe to call twice or from two processes."""
    occurred_at = occurred_at or timezone.now()
    field = "appointment" if isinstance(obligation, Appointment) else "promise"
    existing = OPEN_REPAIR[field].run(obligation=obligation.pk)
    if existing:
        return existing[0]
    deadline = occurred_at + RuleSettings.of(obligation.workspace).repair_deadline
    owner, delegated_from = repairer(obligation)
    try:
        with transaction.atomic():
            lapse = Lapse.objects.create(
                workspace=obligation.workspace,
                kind=kind,
                person=obligation.person,
                owner=obligation.owner,
                occurred_at=occurred_at,
                **{field: obligation},
            )
            repair = Repair.objects.create(
                workspace=obligation.workspace,
                lapse=lapse,
                owner=owner,
                delegated_from=delegated_from,
                person=obligation.person,
                opened_at=occurred_at,
                deadline_at=deadline,
                next_check_at=deadline,
            )
            tell(
                repair.workspace_id,
                "repair.opened",
                repair_id=repair.pk,
                person_id=repair.person_id,
                member_id=repair.owner_id,
                **{f"{field}_id": obligation.pk},
                kind=kind,
                deadline_at=deadline.isoformat(),
            )
            return repair
    except IntegrityError:  # another process recorded this lapse first
        return Repair.objects.get(
            **{f"lapse__{field}": obligation}, lapse__kind=kind, lapse__occurred_at=occurred_at
        )


def promise_late(promise: Promise) -> Repair:
    """A promise whose time passed unkept: its lapse and repair, and the promise now reads
    broken (until a new time is agreed with them: ``Promise.renew``)."""
    repair = open_repair(promise, LapseKind.PROMISE_LATE, occurred_at=promise.due_at)
    if promise.status == PromiseStatus.OPEN:
        try:
            promise.transition(PromiseStatus.BROKEN)
        except TransitionRefused:
            pass  # kept or released a moment ago: the repair stays as it is
    return repair


def repairer(obligation):
    """Who owes the repair: the owner, or while the owner is away, at once the colleague
    who stands in for them (returned with the owner it came from)."""
    membership = membership_of(obligation.workspace_id, obligation.owner_id)
    backup = stand_in(membership, timezone.now()) if membership else None
    if backup is None:
        return obligation.owner, None
    return backup.user, obligation.owner


def record_message_sent(message) -> None:
    """The other side heard from us: note it on the repair, and close it when it is complete."""
    repair = message.repair
    if repair is None:
        return
    sent_at = message.sent_at or timezone.now()
    changes = {}
    if repair.first_contact_at is None:
        changes["first_contact_at"] = sent_at
    if message.has_apology and repair.apology_sent_at is None:
        changes["apology_sent_at"] = sent_at
    if message.next_step and repair.next_step_sent_at is None:
        changes["next_step_sent_at"] = sent_at
    if changes:
        Repair.objects.filter(pk=repair.pk).update(**changes)
        for name, value in changes.items():
            setattr(repair, name, value)
    if repair.apology_sent_at and repair.next_step_sent_at:
        close(repair, ClosedBecause.SENT, at=sent_at)


def close(repair: Repair, because: str, at=None, note: str = "") -> bool:
    at = at or timezone.now()
    changed = Repair.objects.filter(pk=repair.pk, state=RepairState.OPEN).update(
        state=RepairState.CLOSED,
        closed_at=at,
        closed_because=because,
        outcome_note=note,
        next_check_at=None,
    )
    if changed:
        repair.state, repair.closed_at, repair.closed_because = RepairState.CLOSED, at, because
        repair.outcome_note, repair.next_check_at = note, None
        tell(
            repair.workspace_id,
            "repair.closed",
            repair_id=repair.pk,
            person_id=repair.person_id,
            member_id=repair.owner_id,
            because=because,
            minutes=round((at - repair.opened_at).total_seconds() / 60),
        )
    return bool(changed)


def escalation_target(repair: Repair):
    """The owner's backup, else a manager (or the workspace owner), else the owner themself."""
    membership = membership_of(repair.workspace_id, repair.owner_id)
    if membership and membership.backup and membership.backup.user_id != repair.owner_id:
        return membership.backup.user
    for role in (Role.MANAGER, Role.OWNER):
        bosses = FIRST_WITH_ROLE.run(
            workspace=repair.workspace_id, role=str(role), owner=repair.owner_id
        )
        if bosses:
            return bosses[0].user
    return repair.owner


def close_for_new_time(appointment, at=None) -> int:
    """They picked a new time for a meeting that failed on our side: its repair is done."""
    repairs = Repair.objects.filter(lapse__appointment=appointment, state=RepairState.OPEN)
    return sum(close(repair, ClosedBecause.BOOKED, at=at) for repair in repairs)


def undo_repairs(appointment) -> int:
    """The meeting was marked missed or cancelled by mistake and that was undone: its open
    repair closes as undone. The lapse stays on record; the figures leave it out."""
    repairs = Repair.objects.filter(lapse__appointment=appointment, state=RepairState.OPEN)
    return sum(close(repair, ClosedBecause.UNDONE) for repair in repairs)
