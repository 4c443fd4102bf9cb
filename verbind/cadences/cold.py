"""Relations going cold: cadences due soon or past, for Today's list and the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from verbind.cadences.models import Cadence
from verbind.followthrough.rules.base import unshown
from verbind.lib.prepared import Prepared

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


def _soonest(limit: int):
    return Prepared(
        lambda v: Cadence.objects.filter(
            owner_id=v.member,
            workspace_id=v.workspace,
            person__isnull=False,
            due_at__lt=v.until,
        )
        .select_related("person__organisation")
        .defer(*unshown())
        .order_by("due_at", "id")[:limit]
    )


SOONEST = {limit: _soonest(limit) for limit in (5, 10)}  # Today's five, the digest's ten


def going_cold(membership, at: datetime | None = None, limit: int = 10) -> list[Cold]:
    """This member's relations whose cadence is due within two weeks or past, longest first."""
    at = at or timezone.now()
    soonest = SOONEST.get(limit) or _soonest(limit)
    rows = soonest.run(
        member=membership.user_id, workspace=membership.workspace_id, until=at + SOON
    )
    return [Cold(r.person, r.every_weeks, r.last_touch_at, r.due_at) for r in rows]
