"""A year of touchpoints and health, month by month, for the chart on person and organisation pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from datetime import timedelta as td

from django.db.models import Max
from django.utils import timezone

from verbind.cadences.health import DEFAULT_WARM
from verbind.cadences.models import Cadence
from verbind.lib.months import month_starts, next_month
from verbind.people.models import Interaction


@dataclass
class Month:
    first: date  # the first day of the month
    touches: int
    warmth: float  # 0..1: how many of the people were in touch within their rhythm at its end


def _months(at: datetime, zone) -> list[tuple[date, datetime]]:
    """The last twelve months up to *at*: (first day, end moment), oldest first."""
    return [
        (first, min(datetime.combine(next_month(first), time(0), zone), at))
        for first in month_starts(at, 12, zone)
    ]


def year_of(person_ids: list[int], at: datetime | None = None, zone=None) -> list[Month]:
    at = at or timezone.now()
    zone = zone or timezone.get_default_timezone()
    months = _months(at, zone)
    start = datetime.combine(months[0][0], time(0), zone)
    every = dict(
        Cadence.objects.filter(person_id__in=person_ids).values_list("person_id", "every_weeks")
    )
    warm_for = {pk: td(weeks=every[pk]) if pk in every else DEFAULT_WARM for pk in person_ids}
    before = dict(
        Interaction.objects.filter(person_id__in=person_ids, occurred_at__lt=start)
        .values("person_id")
        .annotate(at=Max("occurred_at"))
        .values_list("person_id", "at")
    )
    touches = sorted(
        Interaction.objects.filter(
            person_id__in=person_ids, occurred_at__gte=start, occurred_at__lte=at
        ).values_list("occurred_at", "person_id")
    )
    last = dict(before)
    result, i = [], 0
    for first, end in months:
        count = 0
        while i < len(touches) and touches[i][0] < end:
            last[touches[i][1]] = touches[i][0]
            count += 1
            i += 1
        warm = 0.0
        for pk in person_ids:
            if pk in last:
                since = end - last[pk]
                limit = warm_for[pk]
                warm += 1.0 if since <= limit else max(0.0, 1 - (since - limit) / limit)
        result.append(Month(first, count, warm / len(person_ids) if person_ids else 0.0))
    return result
