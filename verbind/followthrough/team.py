"""The team's follow-through for a manager: who owes what, and how the last twelve months went.

Every figure here is one of ``figures``' counts, split by member or by month, so the manager
view, the weekly team digest and a member's own Today never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import F
from django.utils import timezone

from verbind.followthrough.figures import counted, figures_for, on_the_plate_of, silent_drops
from verbind.followthrough.models import ClosedBecause, Repair, RepairState
from verbind.lib.months import month_of, month_starts
from verbind.obligations.models import Outcome, Promise
from verbind.workspaces.models import Membership, Role

MANAGERS = (Role.OWNER, Role.MANAGER)


@dataclass
class MemberLine:
    membership: Membership
    open_repairs: int
    overdue_repairs: int
    escalations_waiting: int
    silent_drops: int
    median_hours_to_repair: float | None
    overdue_promises: int


@dataclass
class Month:
    first: date
    opened: int
    silent_drops: int
    median_hours_to_repair: float | None


def by_member(workspace, now: datetime | None = None) -> list[MemberLine]:
    """One line per member who meets people (reception owes nothing), most owed first."""
    now = now or timezone.now()
    lines = []
    members = Membership.objects.filter(workspace=workspace).exclude(role=Role.RECEPTION)
    for membership in members.select_related("user"):
        user = membership.user
        mine = figures_for(workspace, user, now)
        lines.append(
            MemberLine(
                membership=membership,
                open_repairs=mine.open_repairs,
                overdue_repairs=mine.overdue_repairs,
                escalations_waiting=escalations_waiting(workspace, user).count(),
                silent_drops=mine.silent_drops,
                median_hours_to_repair=mine.median_hours_to_repair,
                overdue_promises=overdue_promises(workspace, user, now).count(),
            )
        )
    return sorted(
        lines,
        key=lambda line: (-line.overdue_repairs, -line.open_repairs, line.membership.display_name),
    )


def escalations_waiting(workspace, user):
    return Repair.objects.filter(workspace=workspace, escalated_to=user, state=RepairState.OPEN)


def overdue_promises(workspace, user, now):
    return Promise.objects.filter(
        workspace=workspace, owner=user, outcome=Outcome.OPEN, due_at__lte=now
    )


# The figures of a member's line on the team page that open the list behind them.
MEMBER_FIGURES = ("open_repairs", "overdue_repairs", "escalations", "silent_drops", "promises")


def behind_member(name: str, workspace, user, now: datetime | None = None):
    """The repairs (or, for ``promises``, the promises) behind one figure of a member's line,
    counted exactly as ``by_member`` counts them; newest first."""
    now = now or timezone.now()
    if name == "promises":
        return overdue_promises(workspace, user, now).select_related("person").order_by(
            "due_at", "id"
        )
    repairs = counted(workspace, now).select_related(
        "person", "owner", "lapse__appointment", "lapse__promise"
    )
    if name == "open_repairs":
        found = repairs.filter(on_the_plate_of(user), state=RepairState.OPEN)
    elif name == "overdue_repairs":
        found = repairs.filter(
            on_the_plate_of(user), state=RepairState.OPEN, deadline_at__lte=now
        )
    elif name == "escalations":
        found = escalations_waiting(workspace, user).select_related(
            "person", "owner", "lapse__appointment", "lapse__promise"
        )
    elif name == "silent_drops":
        found = silent_drops(repairs.filter(owner=user), now)
    else:
        raise ValueError(name)
    return found.order_by("-opened_at", "-id")


def by_month(workspace, now: datetime | None = None, months: int = 12, zone=None) -> list[Month]:
    """Repairs opened per month: how many, how many became silent drops, the median time to
    repair of those repaired (hours). Mistaken clicks (undone) are left out, as on Today."""
    now = now or timezone.now()
    zone = zone or timezone.get_current_timezone()
    starts = month_starts(now, months, zone)
    first = datetime.combine(starts[0], datetime.min.time(), tzinfo=zone)
    repairs = Repair.objects.filter(workspace=workspace, opened_at__gte=first).exclude(
        closed_because=ClosedBecause.UNDONE
    )
    dropped = set(silent_drops(repairs, now).values_list("pk", flat=True))
    buckets: dict[date, list] = {start: [] for start in starts}
    for pk, opened_at, closed_at, state in repairs.values_list(
        "pk", "opened_at", "closed_at", "state"
    ):
        key = month_of(opened_at, zone)
        if key in buckets:
            buckets[key].append((pk, opened_at, closed_at, state))
    result = []
    for start, rows in buckets.items():
        hours = [
            (closed - opened).total_seconds() / 3600
            for _pk, opened, closed, state in rows
            if state == RepairState.CLOSED and closed
        ]
        result.append(
            Month(
                first=start,
                opened=len(rows),
                silent_drops=sum(1 for pk, *_ in rows if pk in dropped),
                median_hours_to_repair=median(hours) if hours else None,
            )
        )
    return result


def at_risk(workspace, now: datetime | None = None):
    """Open repairs past or near their deadline (within a day), the most pressing first."""
    now = now or timezone.now()
    return (
        counted(workspace, now)
        .filter(state=RepairState.OPEN, deadline_at__lte=now + timedelta(days=1))
        .select_related("person", "owner")
        .order_by("deadline_at")
    )


def went_well(workspace, since: datetime, now: datetime | None = None) -> dict:
    """What went well since *since*: repairs closed within their day, promises kept."""
    now = now or timezone.now()
    closed = Repair.objects.filter(
        workspace=workspace, state=RepairState.CLOSED, closed_at__gte=since, closed_at__lte=now
    ).exclude(closed_because=ClosedBecause.UNDONE)
    return {
        "repaired_in_time": closed.filter(closed_at__lte=F("deadline_at")).count(),
        "promises_kept": Promise.objects.filter(
            workspace=workspace, outcome=Outcome.KEPT, closed_at__gte=since, closed_at__lte=now
        ).count(),
    }
