"""The figures the product reports: repairs open, silent drops, time to repair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median, quantiles

from django.db.models import Count, F, Q
from django.utils import timezone

from verbind.followthrough.models import ClosedBecause, Repair, RepairState
from verbind.lib.prepared import Prepared
from verbind.obligations.models import Outcome, Promise

PERIOD = timedelta(days=90)


@dataclass
class Figures:
    open_repairs: int
    overdue_repairs: int
    silent_drops: int
    repaired: int
    median_hours_to_repair: float | None


def silent(now) -> Q:
    """A silent drop: the deadline passed before the counterpart heard anything from us."""
    return Q(deadline_at__lte=now) & (
        Q(first_contact_at__isnull=True) | Q(first_contact_at__gt=F("deadline_at"))
    )


def silent_drops(repairs, now):
    """Broken obligations whose counterpart heard nothing from us before the repair deadline."""
    return repairs.filter(silent(now))


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


def _figures(mine: bool):
    def build(v):
        repairs = Repair.objects.filter(workspace_id=v.workspace, opened_at__gte=v.since).exclude(
            closed_because=ClosedBecause.UNDONE
        )
        dropped = silent(v.now)
        if mine:
            repairs = repairs.filter(
                Q(owner_id=v.member) | Q(escalated_to_id=v.member, state=RepairState.OPEN)
            )
            dropped &= Q(owner_id=v.member)
        is_open = Q(state=RepairState.OPEN)
        return (
            repairs.order_by()
            .values("workspace_id")  # one group: the whole selection
            .annotate(
                open_repairs=Count("pk", filter=is_open),
                overdue_repairs=Count("pk", filter=is_open & Q(deadline_at__lte=v.now)),
                silent_drops=Count("pk", filter=dropped),
                closed=Count("pk", filter=Q(state=RepairState.CLOSED)),
            )
            .values_list("open_repairs", "overdue_repairs", "silent_drops", "closed")
        )

    return build


def _closed(mine: bool):
    def build(v):
        repairs = Repair.objects.filter(
            workspace_id=v.workspace, opened_at__gte=v.since, state=RepairState.CLOSED
        ).exclude(closed_because=ClosedBecause.UNDONE)
        if mine:
            repairs = repairs.filter(
                Q(owner_id=v.member) | Q(escalated_to_id=v.member, state=RepairState.OPEN)
            )
        return repairs.values_list("opened_at", "closed_at")

    return build


# Today asks for these on every visit: compiled once (see lib.prepared).
FIGURES = {mine: Prepared(_figures(mine)) for mine in (False, True)}
CLOSED = {mine: Prepared(_closed(mine)) for mine in (False, True)}


def figures_for(workspace, member=None, now=None) -> Figures:
    """For the workspace, or for one member's repairs, over the last 90 days (two queries)."""
    now = now or timezone.now()
    values = {"workspace": workspace.pk, "since": now - PERIOD, "now": now}
    mine = member is not None
    if mine:
        values["member"] = member.pk
    ((open_repairs, overdue, dropped, repaired),) = FIGURES[mine].run(**values) or [(0, 0, 0, 0)]
    closed = CLOSED[mine].run(**values) if repaired else []
    hours = [(closed_at - opened_at).total_seconds() / 3600 for opened_at, closed_at in closed]
    return Figures(
        open_repairs=open_repairs,
        overdue_repairs=overdue,
        silent_drops=dropped,
        repaired=len(closed),
        median_hours_to_repair=median(hours) if hours else None,
    )


@dataclass
class Repaired:
    repair_id: int
    member_id: int
    person_id: int
    opened_at: object
    closed_at: object
    minutes: int


@dataclass
class PeriodFigures:
    """One member's (or the workspace's) follow-through over a period."""

    member_id: int | None
    repairs_opened: int
    repairs_closed: int
    silent_drops: int
    promises_kept: int
    promises_broken: int
    repaired: list[Repaired]

    @property
    def median_minutes(self) -> float | None:
        minutes = [r.minutes for r in self.repaired]
        return median(minutes) if minutes else None

    @property
    def p90_minutes(self) -> float | None:
        minutes = sorted(r.minutes for r in self.repaired)
        if len(minutes) < 2:
            return float(minutes[0]) if minutes else None
        return quantiles(minutes, n=10, method="inclusive")[-1]


def over_period(workspace, since, until, member_ids=None) -> list[PeriodFigures]:
    """The figures of each member (with anything in the period) and, first, of the workspace.

    Repairs count by when they opened, were closed, or (silent drops) by their deadline,
    within [since, until); promises by when they were due. Mistaken clicks are left out.
    """
    repairs = Repair.objects.filter(workspace=workspace).exclude(
        closed_because=ClosedBecause.UNDONE
    )
    promises = Promise.objects.filter(workspace=workspace, due_at__gte=since, due_at__lt=until)
    if member_ids is not None:
        repairs = repairs.filter(owner_id__in=member_ids)
        promises = promises.filter(owner_id__in=member_ids)
    opened = list(
        repairs.filter(opened_at__gte=since, opened_at__lt=until).values_list("owner_id", flat=True)
    )
    closed = [
        Repaired(
            pk,
            owner,
            person,
            opened_at,
            closed_at,
            round((closed_at - opened_at).total_seconds() / 60),
        )
        for pk, owner, person, opened_at, closed_at in repairs.filter(
            state=RepairState.CLOSED, closed_at__gte=since, closed_at__lt=until
        )
        .order_by("closed_at", "id")
        .values_list("pk", "owner_id", "person_id", "opened_at", "closed_at")
    ]
    dropped = list(
        silent_drops(
            repairs.filter(deadline_at__gte=since, deadline_at__lt=until), until
        ).values_list("owner_id", flat=True)
    )
    kept_or_broken = list(
        promises.filter(outcome__in=[Outcome.KEPT, Outcome.BROKEN]).values_list(
            "owner_id", "outcome"
        )
    )
    members = sorted(
        {*opened, *(r.member_id for r in closed), *dropped, *(o for o, _x in kept_or_broken)}
    )

    def of(member_id):
        def mine(owner):
            return member_id is None or owner == member_id

        return PeriodFigures(
            member_id=member_id,
            repairs_opened=sum(1 for owner in opened if mine(owner)),
            repairs_closed=sum(1 for r in closed if mine(r.member_id)),
            silent_drops=sum(1 for owner in dropped if mine(owner)),
            promises_kept=sum(1 for o, out in kept_or_broken if mine(o) and out == Outcome.KEPT),
            promises_broken=sum(
                1 for o, out in kept_or_broken if mine(o) and out == Outcome.BROKEN
            ),
            repaired=[r for r in closed if mine(r.member_id)],
        )

    return [of(None), *(of(member_id) for member_id in members)]
