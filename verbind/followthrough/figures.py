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


def figures_for(workspace, member=None, now=None) -> Figures:
    """For the workspace, or for one member's own repairs, over the last 90 days."""
    now = now or timezone.now()
    repairs = Repair.objects.filter(workspace=workspace, opened_at__gte=now - PERIOD).exclude(
        closed_because=ClosedBecause.UNDONE
    )
    if member is not None:
        repairs = repairs.filter(owner=member)
    open_ = repairs.filter(state=RepairState.OPEN)
    closed = list(repairs.filter(state=RepairState.CLOSED).values_list("opened_at", "closed_at"))
    hours = [(closed_at - opened_at).total_seconds() / 3600 for opened_at, closed_at in closed]
    return Figures(
        open_repairs=open_.count(),
        overdue_repairs=open_.filter(deadline_at__lte=now).count(),
        silent_drops=silent_drops(repairs, now).count(),
        repaired=len(closed),
        median_hours_to_repair=median(hours) if hours else None,
    )
