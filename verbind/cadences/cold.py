"""Relations going cold: cadences due soon or past, for Today's list and the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from verbind.cadences.models import Cadence

SOON = timedelta(days=14)


@dataclass
class Cold:
    person: object
    every_weeks: int
    last_touch_at: datetime | None
    due_at: datetime

    @property
    def overdue(self) -> bool:
        return self.due_at <= timezone.now()


def going_cold(membership, at: datetime | None = None, limit: int = 10) -> list[Cold]:
    """This member's relations whose cadence is due within two weeks or past, longest first."""
    at = at or timezone.now()
    rows = (
        Cadence.objects.filter(
            owner=membership.user,
            workspace=membership.workspace,
            person__isnull=False,
            due_at__lt=at + SOON,
        )
        .select_related("person__organisation")
        .order_by("due_at", "id")[:limit]
    )
    return [Cold(r.person, r.every_weeks, r.last_touch_at, r.due_at) for r in rows]
