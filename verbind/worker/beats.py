"""A worker's heartbeat: written at the end of every pass, read by ``/health`` and ``verbind status``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F

from verbind.worker.models import WorkerBeat

# A worker not heard of for this long has stopped; its row is let go.
FORGET_AFTER = timedelta(days=7)


def record(worker: str, now: datetime) -> None:
    """This worker completed a pass at *now*."""
    changed = WorkerBeat.objects.filter(worker=worker).update(
        last_pass_at=now, passes=F("passes") + 1
    )
    if not changed:
        WorkerBeat.objects.update_or_create(
            worker=worker, defaults={"last_pass_at": now, "passes": 1, "started_at": now}
        )
        WorkerBeat.objects.filter(last_pass_at__lt=now - FORGET_AFTER).delete()


def last_pass() -> datetime | None:
    """When any worker last completed a pass."""
    beat = WorkerBeat.objects.order_by("-last_pass_at").first()
    return beat.last_pass_at if beat else None


def workers(since: datetime) -> list[WorkerBeat]:
    """The workers that completed a pass since *since*, latest first."""
    return list(WorkerBeat.objects.filter(last_pass_at__gte=since).order_by("-last_pass_at"))
