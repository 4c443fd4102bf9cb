"""The last so many calendar months in a time zone: what every "per month" figure and chart
counts in (the team's drops, a person's gives and gets, a year of touchpoints)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone


def month_starts(now: datetime, months: int, zone=None) -> list[date]:
    """The first day of each of the last *months* months up to *now*'s, oldest first."""
    local = timezone.localtime(now, zone).date().replace(day=1)
    starts = [local]
    for _ in range(months - 1):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return list(reversed(starts))


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def month_of(moment: datetime, zone=None) -> date:
    """The first day of the month *moment* falls in, in *zone*."""
    return timezone.localtime(moment, zone).date().replace(day=1)
