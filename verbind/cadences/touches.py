"""Any touch resets a cadence: the moment of the newest contact, whatever kind it was.

Called by the receivers (an interaction logged, a message sent, a meeting held, an
answer on a link, a newer last contact from an import) and nowhere else decides it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from verbind.cadences.models import Cadence
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Interaction


def touch(person_id: int, at: datetime) -> int:
    """The person was in touch at *at*: their cadence counts from then, if that is newer.

    Returns how many cadences moved (0 or 1: one per person).
    """
    return touch_many({person_id: at})


def touch_many(moments: dict[int, datetime]) -> int:
    """Each person was in touch at their moment (``touch`` for many, one query to read).

    Returns how many cadences moved.
    """
    now = timezone.now()
    people, moved = list(moments), 0
    stored = connection.ops.adapt_datetimefield_value  # as the ORM writes a moment
    for start in range(0, len(people), CHUNK):
        rows = []
        for cadence in Cadence.objects.filter(person_id__in=people[start : start + CHUNK]):
            at = min(moments[cadence.person_id], now)
            if cadence.last_touch_at is not None and cadence.last_touch_at >= at:
                continue
            rows.append((stored(at), stored(cadence.due_after(at)), cadence.pk))
        if rows:
            # One statement for the group, not one per cadence (the worker records
            # hundreds of sent messages at once): bulk_update's CASE costs more than this.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Cadence._meta.db_table} SET last_touch_at = %s, due_at = %s "
                    "WHERE id = %s",
                    rows,
                )
            moved += len(rows)
    return moved


CHUNK = 500  # people per query (an import may bring tens of thousands)


def last_touches(person_ids) -> dict[int, datetime]:
    """The newest contact with each person so far: a timeline entry or a meeting held."""
    now = timezone.now()
    found: dict[int, datetime] = dict(
        Interaction.objects.filter(person_id__in=person_ids, occurred_at__lte=now)
        .values("person_id")
        .annotate(at=Max("occurred_at"))
        .values_list("person_id", "at")
    )
    held = (
        Appointment.objects.filter(
            person_id__in=person_ids, status=AppointmentStatus.HELD, ends_at__lte=now
        )
        .values("person_id")
        .annotate(at=Max("ends_at"))
        .values_list("person_id", "at")
    )
    for person_id, at in held:
        if person_id not in found or found[person_id] < at:
            found[person_id] = at
    return found
