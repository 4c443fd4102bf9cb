"""Finding free times: the member's working week, minus what is booked or already offered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.models import Absence, Availability, BusyBlock, ProposalState, ProposedSlot

STEP = timedelta(minutes=30)
# Preferred hours for the 1st, 2nd, 3rd… slot, so the offer spans mornings and afternoons.
PREFERRED = [time(10, 0), time(14, 0), time(11, 0), time(15, 30), time(9, 30)]


def meetings_of(memberships) -> Q:
    """Open meetings these members host, or join as the co-host of the offer they came from."""
    from verbind.scheduling.models import Proposal

    joined = Proposal.objects.filter(co_host__in=memberships, booked__isnull=False).values("booked")
    return Q(
        Q(owner__in=[m.user_id for m in memberships]) | Q(pk__in=joined),
        status__in=[AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED],
    )


def guest_meetings(person, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The person's open meetings with anyone in the workspace, in the window."""
    return list(
        Appointment.objects.filter(
            person=person,
            status__in=[AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED],
            starts_at__lt=end,
            ends_at__gt=start,
        ).values_list("starts_at", "ends_at")
    )


def busy(
    membership, start: datetime, end: datetime, ignore_proposal=None
) -> list[tuple[datetime, datetime]]:
    """Booked meetings, times still on offer, calendar busy times and absences of the member."""
    meetings = (
        Appointment.objects.filter(meetings_of([membership]))
        .filter(starts_at__lt=end, ends_at__gt=start)
        .values_list("starts_at", "ends_at")
    )
    offered = ProposedSlot.objects.filter(
        Q(proposal__host=membership) | Q(proposal__co_host=membership),
        proposal__state=ProposalState.OPEN,
        proposal__expires_at__gt=timezone.now(),
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if ignore_proposal is not None:
        offered = offered.exclude(proposal=ignore_proposal)
    calendars = BusyBlock.objects.filter(
        membership=membership, starts_at__lt=end, ends_at__gt=start
    )
    away = Absence.objects.filter(membership=membership, starts_at__lt=end, ends_at__gt=start)
    return (
        list(meetings)
        + list(offered.values_list("starts_at", "ends_at"))
        + list(calendars.values_list("starts_at", "ends_at"))
        + list(away.values_list("starts_at", "ends_at"))
    )


def _candidates(availability: Availability, zone, day: date, duration: timedelta):
    for opens, closes in availability.weekly_hours.hours(day.weekday()):
        start = datetime.combine(day, opens, zone)
        end = datetime.combine(day, closes, zone)
        moment = start
        while moment + duration <= end:
            yield moment.astimezone(UTC)
            moment += STEP  # wall-clock steps inside one day; DST changes happen at night


def _within_hours(availability: Availability, zone, start: datetime, duration: timedelta) -> bool:
    local = start.astimezone(zone)
    for start_time, end_time in availability.weekly_hours.hours(local.weekday()):
        opens = datetime.combine(local.date(), start_time, zone)
        closes = datetime.combine(local.date(), end_time, zone)
        if opens <= start and start + duration <= closes:
            return True
    return False


def free_slots(
    membership,
    duration: timedelta,
    within: timedelta = timedelta(days=14),
    count: int = 3,
    now: datetime | None = None,
    co_host=None,
    guest_zone=None,
    part_of_day: str = "",
    not_before: datetime | None = None,
    avoid: list[tuple[datetime, datetime]] = (),
    guest=None,
) -> list[datetime]:
    """*count* free start times, each on another day, at different times of day, never in the past.

    With a *part_of_day* ("mornings", "afternoons", "evenings": what suits them better),
    every time starts then, in their zone (else the host's). With *not_before*, none
    starts earlier (a later week suits them better). Times in *avoid* (the ones they
    turned down) are not offered again.

    With a *co_host*, every time also lies in the co-host's working week and
    clear of their meetings and calendars. With a *guest_zone* (the other person
    lives elsewhere), every time also lies in their daytime there.
    """
    now = now or timezone.now()
    availability = Availability.of(membership)
    zone = membership.zone
    earliest = max(now + timedelta(hours=availability.notice_hours), not_before or now)
    end = earliest + within if not_before else now + within
    part_zone = guest_zone or zone
    buffer = timedelta(minutes=availability.buffer_minutes)
    taken = [
        (s - buffer, e + buffer)
        for s, e in busy(membership, earliest - buffer, end + duration + buffer)
    ]
    taken += list(avoid)
    if guest is not None:  # the person they are for: not when they meet one of us already
        taken += guest_meetings(guest, earliest - buffer, end + duration + buffer)
    other = Availability.of(co_host) if co_host is not None else None
    if co_host is not None:
        earliest = max(earliest, now + timedelta(hours=other.notice_hours))
        extra = timedelta(minutes=other.buffer_minutes)
        taken += [
            (s - extra, e + extra)
            for s, e in busy(co_host, earliest - extra, end + duration + extra)
        ]
    chosen: list[datetime] = []
    day = earliest.astimezone(zone).date()
    while len(chosen) < count and datetime.combine(day, time(0), zone) < end:
        options = [
            c
            for c in _candidates(availability, zone, day, duration)
            if earliest <= c
            and c + duration <= end
            and not _overlaps(taken, c, c + duration)
            and (other is None or _within_hours(other, co_host.zone, c, duration))
            and (guest_zone is None or _in_their_daytime(guest_zone, c, duration))
            and (part_of_day not in PARTS_OF_DAY or _in_part_of_day(part_of_day, part_zone, c))
        ]
        if options:
            wanted = PREFERRED[len(chosen) % len(PREFERRED)]
            target = datetime.combine(day, wanted, zone)
            chosen.append(min(options, key=lambda c: abs((c - target).total_seconds())))
        day += timedelta(days=1)
    return chosen


# What "mornings", "afternoons" and "evenings" mean for the start of a meeting, locally.
PARTS_OF_DAY = {
    "mornings": (time(0, 0), time(12, 0)),
    "afternoons": (time(12, 0), time(17, 0)),
    "evenings": (time(17, 0), time(23, 59)),
}


def _in_part_of_day(part: str, zone, start: datetime) -> bool:
    begins, ends = PARTS_OF_DAY[part]
    return begins <= start.astimezone(zone).time() < ends


GUEST_DAY = (time(8, 0), time(20, 0))  # what counts as a decent hour for the other person


def _in_their_daytime(zone, start: datetime, duration: timedelta) -> bool:
    begins, ends = start.astimezone(zone), (start + duration).astimezone(zone)
    return (
        begins.date() == ends.date()
        and GUEST_DAY[0] <= begins.time()
        and ends.time() <= GUEST_DAY[1]
    )


def _overlaps(taken: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(s < end and e > start for s, e in taken)


def times_to_offer(
    membership,
    duration: timedelta,
    now=None,
    count: int = 3,
    co_host=None,
    guest_zone=None,
    part_of_day: str = "",
    not_before: datetime | None = None,
    avoid: list[tuple[datetime, datetime]] = (),
    guest=None,
) -> list[datetime]:
    """Times for a new-dates offer: free in the host's week and calendars, looking further if needed."""
    if guest_zone is not None and str(guest_zone) == str(membership.zone):
        guest_zone = None
    found: list[datetime] = []
    for days in (14, 28, 63):
        found = free_slots(
            membership,
            duration,
            timedelta(days=days),
            count,
            now,
            co_host,
            guest_zone,
            part_of_day=part_of_day,
            not_before=not_before,
            avoid=avoid,
            guest=guest,
        )
        if len(found) == count:
            break
    return found
