"""A member's coming two weeks as they look on the Calendars page: per day, the working hours,
meetings, busy times from calendars, absences and times held on open offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from verbind.obligations.models import Appointment
from verbind.scheduling.models import Absence, Availability, BusyBlock, ProposalState, ProposedSlot
from verbind.scheduling.slots import meetings_of

DAYS = 14


@dataclass
class Block:
    kind: str  # "meeting", "busy", "away", "held"
    starts_at: datetime
    ends_at: datetime
    label: str
    url: str = ""


@dataclass
class Day:
    day: date
    hours: list[tuple[time, time]]
    blocks: list[Block] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def fortnight(membership, now: datetime | None = None) -> list[Day]:
    """Each of the coming 14 days (from today, in the member's zone) with what fills it."""
    now = now or timezone.now()
    zone = membership.zone
    first = now.astimezone(zone).date()
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(first + timedelta(days=DAYS), time(0), zone)
    week = Availability.of(membership).weekly_hours
    days = [
        Day(first + timedelta(days=n), week.hours((first + timedelta(days=n)).weekday()))
        for n in range(DAYS)
    ]
    blocks: list[Block] = []
    for meeting in (
        Appointment.objects.filter(meetings_of([membership]))
        .filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("person")
    ):
        blocks.append(
            Block(
                "meeting",
                meeting.starts_at,
                meeting.ends_at,
                f"{meeting.title} — {meeting.person.name}",
                meeting.get_absolute_url(),
            )
        )
    for busy in BusyBlock.objects.filter(
        membership=membership, starts_at__lt=end, ends_at__gt=start
    ):
        blocks.append(
            Block("away" if busy.absence else "busy", busy.starts_at, busy.ends_at, busy.summary)
        )
    for away in Absence.objects.filter(membership=membership, starts_at__lt=end, ends_at__gt=start):
        blocks.append(Block("away", away.starts_at, away.ends_at, away.note))
    for slot in ProposedSlot.objects.filter(
        Q(proposal__host=membership) | Q(proposal__co_host=membership),
        proposal__state=ProposalState.OPEN,
        proposal__expires_at__gt=now,
        starts_at__lt=end,
        ends_at__gt=start,
    ).select_related("proposal__person"):
        blocks.append(
            Block(
                "held",
                slot.starts_at,
                slot.ends_at,
                f"{slot.proposal.title} — {slot.proposal.person.name}",
                slot.proposal.person.get_absolute_url(),
            )
        )
    for block in sorted(blocks, key=lambda b: (b.starts_at, b.ends_at)):
        for day in days:
            opens = datetime.combine(day.day, time(0), zone)
            closes = opens + timedelta(days=1)
            if block.starts_at < closes and block.ends_at > opens:
                day.blocks.append(block)
    return days
