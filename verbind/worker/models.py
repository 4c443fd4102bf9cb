"""What the worker writes down about itself: when each worker process last completed a pass."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    """One row per worker process (the one beside ``serve`` and any ``verbind worker``).

    In the database, so the web server's ``/health`` and ``verbind status`` see
    every worker, wherever it runs.
    """

    worker = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField()
    last_pass_at = models.DateTimeField(db_index=True)
    passes = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker} (last pass {self.last_pass_at:%Y-%m-%d %H:%M:%S} UTC)"
