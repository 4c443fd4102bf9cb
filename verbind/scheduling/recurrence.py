"""How often a repeat rule fires, counted from the rule itself before anything is expanded.

Expanding costs about a tenth of a millisecond per occurrence, and the expander
also walks every period from the first date on: a rule "every hour, at every
minute" (FREQ=HOURLY;BYMINUTE=0,…,59) makes 576,000 busy times in 400 days, and
"every hour since 1900" walks a million hours before the horizon starts. Both
are counted here in microseconds, from FREQ, INTERVAL, COUNT, UNTIL and the
sizes of the BY… parts (RFC 5545, 3.3.10), so such a rule is refused before the
expander sees it. The counts are upper bounds: a rule is never let through
because it was underestimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

STEP = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=28),  # the shortest month: more periods, never fewer
    "YEARLY": timedelta(days=365),
}
ORDER = list(STEP)  # finest first
# The unit of each BY part: it adds occurrences to a period longer than its unit.
UNIT = {"BYSECOND": "SECONDLY", "BYMINUTE": "MINUTELY", "BYHOUR": "HOURLY"}
# How many of a unit fit in a period, when a BY part expands (an upper bound per value).
PER_PERIOD = {"WEEKLY": 1, "MONTHLY": 5, "YEARLY": 53}


@dataclass
class Count:
    occurrences: int  # in the window
    steps: int  # periods the expander walks to get through the window


def _finer(unit: str, freq: str) -> bool:
    return ORDER.index(unit) < ORDER.index(freq)


def _values(rule, name: str) -> list:
    value = rule.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def per_period(rule, freq: str) -> int:
    """At most how many occurrences one period of the rule makes."""
    factor = 1
    for part, unit in UNIT.items():
        if _finer(unit, freq):
            factor *= max(len(_values(rule, part)), 1)
    days = _values(rule, "BYDAY")
    if freq == "WEEKLY" and days:
        factor *= len(days)
    elif freq in ("MONTHLY", "YEARLY"):
        by_month_day = _values(rule, "BYMONTHDAY")
        by_year_day = _values(rule, "BYYEARDAY")
        by_week = _values(rule, "BYWEEKNO")
        if days:
            numbered = all(str(d).lstrip("+-")[:1].isdigit() for d in days)
            factor *= len(days) * (1 if numbered else PER_PERIOD[freq])
        elif by_month_day:
            months = max(len(_values(rule, "BYMONTH")), 1) if freq == "YEARLY" else 1
            factor *= len(by_month_day) * months
        elif by_year_day and freq == "YEARLY":
            factor *= len(by_year_day)
        if freq == "YEARLY" and by_week and not days:
            factor *= len(by_week) * 7
        elif freq == "YEARLY" and _values(rule, "BYMONTH") and not (days or by_month_day):
            factor *= len(_values(rule, "BYMONTH"))
    limit = len(_values(rule, "BYSETPOS"))
    return min(factor, limit) if limit else factor


def _moment(value, zone) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0), zone)
    raise ValueError(value)


def count(rule, first, window_start: datetime, window_end: datetime, zone) -> Count:
    """An upper bound of the occurrences *rule* makes in the window, and of the expander's steps.

    *rule* is an icalendar ``vRecur`` (a dict of lists); *first* its DTSTART.
    """
    freq = str(_values(rule, "FREQ")[0]).upper() if _values(rule, "FREQ") else ""
    if freq not in STEP:
        raise ValueError(f"FREQ={freq}")
    interval = max(int(_values(rule, "INTERVAL")[0]) if _values(rule, "INTERVAL") else 1, 1)
    step = STEP[freq] * interval
    begins = _moment(first, zone)
    ends = window_end
    until = _values(rule, "UNTIL")
    if until:
        ends = min(ends, _moment(until[0], zone))
    each = per_period(rule, freq)
    if ends < begins:
        return Count(0, 1)
    steps = math.floor((ends - begins) / step) + 1
    inside = (
        math.floor((ends - max(begins, window_start)) / step) + 2 if ends >= window_start else 0
    )
    occurrences = min(inside, steps) * each
    counted = _values(rule, "COUNT")
    if counted:
        occurrences = min(occurrences, int(counted[0]))
        steps = min(steps, int(counted[0]))
    return Count(occurrences, steps * each)
