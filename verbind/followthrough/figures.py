"""The figures the product reports: repairs open, silent drops, time to repair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import F, Q
from django.utils import timezone

from verbind.followthrough.models import ClosedBecause, Repair, RepairState

PERIOD = timedelta(days=90)


@dataclass
class Figures:
    open_repairs: int
    overdue_repairs: int
    silent_drops: int
    repaired: int
    median_hours_to_repair: float | None


def silent_drops(repairs, now):
    """Broken obligations whose counterpart heard nothing from us before the repair deadline."""
    return repairs.filter(deadline_at__lte=now).filter(
        Q(first_contact_at__isnull=True) | Q(first_contact_at__gt=F("deadline_at"))
    )


def counted(workspace, now=None):
    """The repairs the figures count: the last 90 days, mistaken clicks left out."""
    now = now or timezone.now()
    return Repair.objects.filter(workspace=workspace, opened_at__gte=now - PERIOD).exclude(
        closed_because=ClosedBecause.UNDONE
    )


def on_the_plate_of(member):
    """A member's repairs: their own, and those that came to them to step in for a colleague."""
    return Q(owner=member) | Q(escalated_to=member, state=RepairState.OPEN)


# What each figure on Today counts, so each can open the list behind it.
BEHIND = ("silent_drops", "open_repairs", "team_silent_drops")


def behind(name: str, workspace, member, now=None):
    """The repairs behind one figure of Today, newest first."""
    now = now or timezone.now()
    repairs = counted(workspace, now).select_related(
        "person", "owner", "lapse__appointment", "lapse__promise"
    )
    if name == "silent_drops":
        found = silent_drops(repairs.filter(owner=member), now)
    elif name == "open_repairs":
        found = repairs.filter(on_the_plate_of(member), state=RepairState.OPEN)
    elif name == "team_silent_drops":
        found = silent_drops(repairs, now)
    else:
        raise ValueError(name)
    return found.order_by("-opened_at", "-id")


def figures_for(workspace, member=None, now=None) -> Figures:
    """For the workspace, or for one member's repairs, over the last 90 days."""
    now = now or timezone.now()
    repairs = counted(workspace, now)
    if member is not None:
        repairs = repairs.filter(on_the_plate_of(member))
    open_ = repairs.filter(state=RepairState.OPEN)
    closed = list(repairs.filter(state=RepairState.CLOSED).values_list("opened_at", "closed_at"))
    hours = [(closed_at - opened_at).total_seconds() / 3600 for opened_at, closed_at in closed]
    return Figures(
        open_repairs=open_.count(),
        overdue_repairs=open_.filter(deadline_at__lte=now).count(),
        silent_drops=silent_drops(
            repairs.filter(owner=member) if member is not None else repairs, now
        ).count(),
        repaired=len(closed),
        median_hours_to_repair=median(hours) if hours else None,
    )
