"""Plain suggested times for a next meeting, until calendars tell us when people are free."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

# Three different times of day, so the other side has a real choice.
HOURS = [time(10, 0), time(14, 0), time(11, 0), time(15, 30)]


def suggest_times(after: datetime, zone: zoneinfo.ZoneInfo, count: int = 3) -> list[datetime]:
    """*count* working-day slots, each on another day, starting the working day after *after*."""
    day = after.astimezone(zone).date()
    found: list[datetime] = []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() >= 5:
            continue
        found.append(datetime.combine(day, HOURS[len(found) % len(HOURS)], zone))
    return found
