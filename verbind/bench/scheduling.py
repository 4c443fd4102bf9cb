"""Scheduling benchmark: free times over a calendar with five years of history; reading a big .ics.

The calendars are real iCalendar text made with the icalendar library, shaped like
Google and Outlook exports: recurring series (weekly, fortnightly, daily on
weekdays, monthly) with EXDATEs and moved occurrences, in Europe/Amsterdam, in
UTC or floating, some all day; single meetings, holidays (absences), cancelled and
"free" events. Most series ended years ago, as in any calendar that old; the
rest run on. Seeded, so every run reads the same file.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.contrib.auth import get_user_model
from django.utils import timezone

from verbind.obligations.models import Appointment, AppointmentStatus, Outcome
from verbind.people.models import Person
from verbind.scheduling.calendars import load
from verbind.scheduling.models import BusyBlock, Proposal, ProposalState, ProposedSlot
from verbind.scheduling.proposals import propose
from verbind.scheduling.slots import busy, free_slots
from verbind.workspaces.accounts import create_workspace

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
YEARS = 5
# At scale 1; every count but the number of timed runs follows --scale.
SERIES = 200  # recurring series in the calendar free times are found in
SINGLES = 2_500  # single events over the five years (and a few weeks ahead)
SYNC_EVENTS = 5_000  # VEVENTs in the file whose reading is timed
SYNC_SERIES = 500  # of which recurring: one in ten
PEOPLE = 500  # the member's relations
APPOINTMENTS = 5_000  # the member's meetings with them over the five years
UPCOMING = 10  # booked meetings in the next two weeks
OPEN_PROPOSALS = 3  # offers waiting for an answer (their times count as busy)
OLD_PROPOSALS = 40  # booked, declined and expired offers
RUNS = 200
WARM_UP = 3

DURATION = timedelta(hours=1)
WITHIN = timedelta(days=14)
COUNT = 3

# Of every twenty series: ten weekly (a third of them fortnightly), two daily on weekdays,
# six monthly, and two all day: the office closed once a month, working from home (shown free).
KINDS = (
    ("weekly",) * 10 + ("daily",) * 2 + ("monthly",) * 6 + ("office closed", "working from home")
)
TITLES = {
    "weekly": ["Team overleg", "1:1 with Sanne", "Sales pipeline", "Lunch walk"],
    "daily": ["Stand-up", "Dagstart"],
    "monthly": ["Borrel ondernemersclub", "Board meeting", "Invoicing"],
    "office closed": ["Office closed"],
    "working from home": ["Working from home"],
}


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


class CalendarFile:
    """An .ics export with *series* recurring and *singles* single events, five years deep."""

    def __init__(self, series: int, singles: int, now: datetime, seed: int = 3, total: int = 0):
        """With *total*, single events fill the file up to that many VEVENTs instead."""
        self.series, self.singles, self.total = series, singles, total
        self.now = now.astimezone(AMSTERDAM).replace(second=0, microsecond=0)
        self.random = random.Random(seed)
        self.events = 0

    def ics(self) -> bytes:
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Verbind bench//calendar export//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "Work")
        for n in range(self.series):
            for event in self._series(n):
                calendar.add_component(event)
        if self.total:
            self.singles = self.total - len(calendar.subcomponents)
        for n in range(self.singles):
            calendar.add_component(self._single(n))
        calendar.add_missing_timezones()  # VTIMEZONE for Europe/Amsterdam, as exports carry
        self.events = len(calendar.walk("VEVENT"))
        return calendar.to_ical()

    # -- recurring series ---------------------------------------------------

    def _series(self, n: int) -> list[icalendar.Event]:
        rnd = self.random
        kind = KINDS[n % len(KINDS)]
        days_back = rnd.uniform(0, YEARS * 365)
        day = (self.now - timedelta(days=days_back)).date()
        day -= timedelta(days=max(0, day.weekday() - 4))  # a weekend start moves to the Friday
        zone = (AMSTERDAM, AMSTERDAM, UTC, None)[n % 4]  # Amsterdam, UTC or floating
        if kind in ("monthly", "office closed"):
            day = day.replace(day=min(day.day, 28))
            rule: dict = {"freq": "monthly", "bymonthday": day.day}
        elif kind == "daily":
            rule = {"freq": "daily", "byday": ["MO", "TU", "WE", "TH", "FR"]}
        else:
            rule = {"freq": "weekly"}
            if kind == "weekly" and rnd.random() < 0.33:
                rule["interval"] = 2
        if kind in ("office closed", "working from home"):  # all day
            start: date | datetime = day
            length = timedelta(days=1)
        else:
            at, length = {
                "weekly": ((rnd.randint(8, 17), rnd.choice([0, 30])), rnd.choice([30, 45, 60, 90])),
                "daily": ((9, rnd.choice([0, 15, 30])), 15),
                "monthly": ((rnd.choice([9, 10, 13, 15]), 0), rnd.choice([60, 120])),
            }[kind]
            length = timedelta(minutes=length)
            start = datetime(day.year, day.month, day.day, *at)
            if zone:  # the time in Amsterdam, written with its TZID or in UTC
                start = start.replace(tzinfo=AMSTERDAM).astimezone(zone)
        # Most series ended long ago; some end in the months ahead; some run on.
        ending = rnd.random()
        if ending < 0.75:
            rule["until"] = self._until(start, rnd.uniform(0, 1) * (days_back - 1))
        elif ending < 0.85:
            rule["count"] = rnd.randint(4, 60)
        elif ending < 0.90:
            rule["until"] = self._until(start, days_back + rnd.uniform(30, 300))
        title = rnd.choice(TITLES[kind])
        event = self._event(
            f"series-{n}", title, start, start + length, transparent=kind == "working from home"
        )
        event.add("rrule", rule)
        step = self._step(rule)
        if n % 4 == 0 and step:  # a few occurrences left out, some of them in the weeks ahead
            k = max(0, int((days_back + rnd.uniform(-60, 60)) / step.days))
            event.add("exdate", [start + step * i for i in (k, k + 1, k + 3)])
        running = ending >= 0.85 and "count" not in rule
        if kind == "weekly" and running and n % 2 == 0:  # one of the coming weeks' moved later
            was = start + step * (int(days_back / step.days) + rnd.randint(1, 6))
            moved = self._event(f"series-{n}", title, was + length, was + 2 * length)
            moved.add("recurrence-id", was)
            moved.add("sequence", 1)
            return [event, moved]
        return [event]

    @staticmethod
    def _step(rule: dict) -> timedelta | None:
        """A distance that always lands on another occurrence (none for monthly rules)."""
        if rule["freq"] == "monthly":
            return None
        return timedelta(weeks=rule.get("interval", 1))  # a daily rule on weekdays: a week on

    @staticmethod
    def _until(start: date | datetime, days: float) -> date | datetime:
        """UNTIL as RFC 5545 wants it: a date for all-day, UTC for zoned, floating for floating."""
        until = start + timedelta(days=max(int(days), 1))  # at the time of the last occurrence
        if not isinstance(start, datetime):
            return until
        return until.astimezone(UTC) if start.tzinfo else until

    # -- single events -------------------------------------------------------

    def _single(self, n: int) -> icalendar.Event:
        rnd = self.random
        # Nearly all in the past five years; the future is planned only weeks ahead.
        if rnd.random() < 0.97 or n % 97 == 0:
            day = (self.now - timedelta(days=rnd.uniform(14, YEARS * 365))).date()
        else:
            day = (self.now + timedelta(days=rnd.uniform(0, 60))).date()
        if n % 97 == 0:  # a holiday of one or two weeks (an absence), in the past
            return self._event(
                f"single-{n}", "Vakantie", day, day + timedelta(days=rnd.choice([7, 14]))
            )
        evening = rnd.random() < 0.2
        hour = rnd.randint(18, 21) if evening else rnd.randint(8, 16)
        start = datetime(day.year, day.month, day.day, hour, rnd.choice([0, 15, 30, 45]))
        start = start.replace(tzinfo=AMSTERDAM)
        if n % 3 == 0:
            start = start.astimezone(UTC)  # Outlook writes UTC; Google the zone
        event = self._event(
            f"single-{n}",
            rnd.choice(["Coffee with a client", "Call", "Netwerkborrel", "Dentist", "Intake"]),
            start,
            start + timedelta(minutes=rnd.choice([30, 45, 60, 90, 120])),
            transparent=n % 25 == 0,
        )
        if n % 40 == 0:
            event.add("status", "CANCELLED")
        return event

    def _event(self, uid, summary, start, end, transparent: bool = False) -> icalendar.Event:
        event = icalendar.Event()
        event.add("uid", f"{uid}@bench.example")
        event.add("dtstamp", self.now.astimezone(UTC))
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        if transparent:
            event.add("transp", "TRANSPARENT")
        return event


def _book_history(membership, scale: float, now: datetime, rnd: random.Random) -> dict:
    """Five years of meetings, a few booked in the coming two weeks, and offers old and open."""
    workspace, user = membership.workspace, membership.user
    people = Person.objects.bulk_create(
        [
            Person(workspace=workspace, name=f"Relation {i}", email=f"relation{i}@bench.example")
            for i in range(scaled(PEOPLE, scale))
        ]
    )
    meetings = []
    for _ in range(scaled(APPOINTMENTS, scale)):
        starts = now - timedelta(days=rnd.uniform(1, YEARS * 365))
        held = rnd.random() < 0.9
        meetings.append(
            Appointment(
                workspace=workspace,
                owner=user,
                person=rnd.choice(people),
                title="Coffee",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                status=AppointmentStatus.HELD if held else AppointmentStatus.CANCELLED_BY_THEM,
                outcome=Outcome.KEPT if held else Outcome.RELEASED,
                closed_at=starts,
            )
        )
    for n in range(UPCOMING):
        day = (now + timedelta(days=1 + n * 13 / UPCOMING)).astimezone(AMSTERDAM).date()
        starts = datetime(day.year, day.month, day.day, rnd.randint(9, 16), tzinfo=AMSTERDAM)
        meetings.append(
            Appointment(
                workspace=workspace,
                owner=user,
                person=rnd.choice(people),
                title="Visit",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                status=AppointmentStatus.PROPOSED if n % 5 == 0 else AppointmentStatus.CONFIRMED,
            )
        )
    Appointment.objects.bulk_create(meetings, batch_size=5000)
    # Old offers: booked, declined, or left to expire.
    states = [ProposalState.BOOKED, ProposalState.DECLINED, ProposalState.OPEN]
    old = Proposal.objects.bulk_create(
        [
            Proposal(
                workspace=workspace,
                host=membership,
                person=rnd.choice(people),
                title="Kennismaking",
                token_hash=uuid.uuid4().hex,
                state=states[n % 3],
                created_at=now - timedelta(days=30 + n * 20),
                expires_at=now - timedelta(days=16 + n * 20),
            )
            for n in range(scaled(OLD_PROPOSALS, scale))
        ]
    )
    ProposedSlot.objects.bulk_create(
        [
            ProposedSlot(
                proposal=p,
                starts_at=p.created_at + timedelta(days=d),
                ends_at=p.created_at + timedelta(days=d, hours=1),
            )
            for p in old
            for d in (2, 4, 6)
        ]
    )
    # Open offers made the way `verbind propose` makes them: their times are then taken.
    for n in range(OPEN_PROPOSALS):
        starts = free_slots(membership, DURATION, WITHIN, COUNT)
        propose(membership, people[n % len(people)], "Kennismaking", starts, DURATION)
    return {"appointments": len(meetings), "appointments_upcoming": UPCOMING}


def _upcoming_only(count: int, now: datetime) -> bytes:
    """*count* one-off meetings spread over the coming year: nothing in the past to leave out."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Verbind bench//EN")
    cal.add("version", "2.0")
    for n in range(count):
        start = (now + timedelta(hours=2 * n % (24 * 380))).replace(minute=0, second=0)
        event = icalendar.Event()
        event.add("uid", f"upcoming-{n}@bench")
        event.add("dtstamp", now)
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", (start + DURATION).astimezone(UTC))
        event.add("summary", f"Meeting {n}")
        cal.add_component(event)
    return cal.to_ical()


def _median_p95(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return round(statistics.median(timings), 2), round(timings[int(len(timings) * 0.95) - 1], 2)


def scheduling_timings(
    scale: float = 1.0, runs: int = RUNS, progress: Callable[[str, int], None] | None = None
) -> dict:
    """Both figures of the scheduling issue, measured on the database this process uses."""
    advance = progress or (lambda task, n: None)
    now = timezone.now()
    owner = get_user_model().objects.create_user(
        username="bench-host@example.org", email="bench-host@example.org"
    )
    membership = create_workspace("Scheduling benchmark", owner).memberships.get()

    history = CalendarFile(scaled(SERIES, scale), scaled(SINGLES, scale), now)
    data = history.ics()
    start = time.perf_counter()
    load(membership, "Work", data, "work.ics")
    loaded = time.perf_counter() - start
    advance("history", 1)
    booked = _book_history(membership, scale, now, random.Random(4))
    advance("history", 1)

    for _ in range(WARM_UP):
        free_slots(membership, DURATION, WITHIN, COUNT)  # warm caches, as a running server would be
    timings, found = [], []
    for _ in range(runs):
        start = time.perf_counter()
        found = free_slots(membership, DURATION, WITHIN, COUNT)
        timings.append((time.perf_counter() - start) * 1000)
        advance("free times", 1)
    median, p95 = _median_p95(timings)
    seen = busy(membership, timezone.now(), timezone.now() + WITHIN + DURATION)

    sync_series = scaled(SYNC_SERIES, scale)
    big = CalendarFile(sync_series, 0, now, seed=5, total=scaled(SYNC_EVENTS, scale))
    sync_data = big.ics()
    sync = []
    for _ in range(2):  # the first read, then the same file again (a sync that replaces it all)
        start = time.perf_counter()
        calendar = load(membership, "Synced", sync_data, "synced.ics")
        sync.append(time.perf_counter() - start)
        advance("sync", 1)
    # The worst case for reading: every event still to come, so none can be skipped.
    upcoming = _upcoming_only(scaled(SYNC_EVENTS, scale), now)
    start = time.perf_counter()
    ahead = load(membership, "Upcoming", upcoming, "upcoming.ics")
    upcoming_seconds = time.perf_counter() - start
    advance("sync", 1)
    return {
        "upcoming_vevents": scaled(SYNC_EVENTS, scale),
        "upcoming_busy_blocks": ahead.blocks.count(),
        "upcoming_seconds": round(upcoming_seconds, 2),
        "calendar_series": history.series,
        "calendar_singles": history.singles,
        "calendar_vevents": history.events,
        "calendar_kb": len(data) // 1024,
        "calendar_busy_blocks": BusyBlock.objects.filter(calendar__name="Work").count(),
        "calendar_load_seconds": round(loaded, 2),
        **booked,
        "open_proposals": OPEN_PROPOSALS,
        "busy_in_window": len(seen),
        "slots_runs": runs,
        "slots_wanted": COUNT,
        "slots_found": len(found),
        "slots_median_ms": median,
        "slots_p95_ms": p95,
        "sync_vevents": big.events,
        "sync_series": big.series,
        "sync_kb": len(sync_data) // 1024,
        "sync_busy_blocks": calendar.blocks.count(),
        "sync_seconds": round(sync[0], 2),
        "resync_seconds": round(sync[1], 2),
    }
