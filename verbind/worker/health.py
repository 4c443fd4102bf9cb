"""Is the worker keeping up? One answer for ``/health`` and ``verbind status``.

Healthy means some worker (beside ``serve`` or a ``verbind worker`` anywhere)
completed a pass within ``VERBIND_HEALTH_MAX_PASS_AGE_SECONDS``. What waits in
the outbox and whether the mail server is down are reported alongside: a mail
server that is down is the server's trouble, and the worker keeps everything
waiting meanwhile (``messaging.outage``), so it does not make the worker unhealthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q

from verbind.messaging import outage
from verbind.messaging.models import OutboxMessage, State
from verbind.worker import beats

WAITING = (State.QUEUED, State.SENDING)


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    last_pass_at: datetime | None
    max_age: timedelta
    workers: int
    waiting: int
    failed: int
    oldest_waiting_at: datetime | None
    mail_down_since: datetime | None
    mail_tries: int
    mail_error: str

    @property
    def age(self) -> timedelta | None:
        return None if self.last_pass_at is None else self.checked_at - self.last_pass_at

    @property
    def healthy(self) -> bool:
        return self.age is not None and self.age <= self.max_age

    @property
    def status(self) -> str:
        if self.last_pass_at is None:
            return "no worker has run"
        return "ok" if self.healthy else "worker stuck"

    def public(self) -> dict:
        """For anyone who asks (``/health``): counts and times only, no workspace data,
        no addresses and no error text."""
        return {
            "status": self.status,
            "checked_at": iso(self.checked_at),
            "worker": {
                "last_pass_at": iso(self.last_pass_at),
                "age_seconds": None if self.age is None else round(self.age.total_seconds()),
                "max_age_seconds": round(self.max_age.total_seconds()),
                "workers": self.workers,
            },
            "outbox": {
                "waiting": self.waiting,
                "failed": self.failed,
                "oldest_waiting_since": iso(self.oldest_waiting_at),
            },
            "mail_server": {
                "state": "down" if self.mail_down_since else "up",
                "down_since": iso(self.mail_down_since),
            },
        }


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def check(now: datetime) -> Health:
    max_age = timedelta(seconds=settings.HEALTH_MAX_PASS_AGE_SECONDS)
    counts = OutboxMessage.objects.aggregate(
        waiting=Count("id", filter=Q(state__in=WAITING)),
        failed=Count("id", filter=Q(state=State.FAILED)),
        oldest=Min("next_attempt_at", filter=Q(state__in=WAITING)),
    )
    down = outage.current()
    return Health(
        checked_at=now,
        last_pass_at=beats.last_pass(),
        max_age=max_age,
        workers=len(beats.workers(since=now - max_age)),
        waiting=counts["waiting"],
        failed=counts["failed"],
        oldest_waiting_at=counts["oldest"],
        mail_down_since=down.started_at if down else None,
        mail_tries=down.tries if down else 0,
        mail_error=down.last_error if down else "",
    )
