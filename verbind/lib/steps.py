"""Worker steps: the work each app asks the worker to do, and how one bad row is kept apart.

An app lists its steps in its own ``steps.py`` and registers them from its
AppConfig.ready; the worker (``verbind.worker``) runs every registered step in
the order of their ``order`` numbers. A step is called with the moment and
says whether it found work; the worker calls it again until it finds none.

``RowStep`` handles one row at a time, oldest first. When handling a row
raises, the row is logged and held back with a growing delay (1 minute, 2, 4, …
at most 6 hours), and the next call goes on with the next row: one bad row
cannot stall the worker. A row step whose ``due`` depends on nothing but the moment
sets ``prepared``: its query is then compiled once per worker (``lib.prepared``), not
once per row — a pass that opens two hundred repairs asks it two hundred times.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from verbind.lib.prepared import Prepared

log = logging.getLogger("verbind.worker")

REGISTRY: list[type[Step]] = []


def register(*steps: type[Step]) -> None:
    for step in steps:
        if step not in REGISTRY:
            REGISTRY.append(step)


def registered() -> list[type[Step]]:
    """Every registered step class, in the order the worker runs them."""
    return sorted(REGISTRY, key=lambda step: (step.order, step.name))


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 hours (however many attempts: a deferred message has no end)."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 9)), timedelta(hours=6))


class Step:
    """One kind of work. ``__call__(now)`` does one piece of it and returns whether it found any."""

    name = ""
    order = 100

    def __call__(self, now: datetime) -> bool:
        raise NotImplementedError

    def close(self, wait: bool = True) -> None:
        """Let go of what the step holds (connections, threads) at the end of a pass."""


class RowStep(Step):
    """One row at a time: the oldest due row that is not held back after failing."""

    # True when ``due`` is the same query for every moment, with only *now* changing
    # (no setting or other state decides its shape).
    prepared = False

    def __init__(self) -> None:
        self.held: dict[object, tuple[int, datetime]] = {}  # pk -> (failures, look again at)
        self.oldest_due = Prepared(lambda v: self.due(v.now)[:1]) if self.prepared else None

    def due(self, now: datetime):
        """The rows waiting for this step, oldest first (a QuerySet)."""
        raise NotImplementedError

    def handle(self, row, now: datetime) -> None:
        raise NotImplementedError

    def next_row(self, now: datetime):
        """The oldest due row that is not held back, or None."""
        waiting = [pk for pk, (_failures, until) in self.held.items() if until > now]
        if self.oldest_due is not None and not waiting:
            found = self.oldest_due.run(now=now)
            return found[0] if found else None
        return self.due(now).exclude(pk__in=waiting).first()

    def __call__(self, now: datetime) -> bool:
        row = self.next_row(now)
        if row is None:
            return False
        try:
            self.handle(row, now)
        except Exception:
            failures = self.held.get(row.pk, (0, now))[0] + 1
            self.held[row.pk] = (failures, now + backoff(failures))
            log.exception(
                "worker step %s failed on row %s (%d time(s)); looking again in %s",
                self.name,
                row.pk,
                failures,
                backoff(failures),
            )
        else:
            self.held.pop(row.pk, None)
        return True
