"""What the API keeps of its own: the first answer to each ``Idempotency-Key``."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

KEPT_FOR = timedelta(hours=24)


class IdempotentAnswer(models.Model):
    """A POST sent with an ``Idempotency-Key``: its answer, replayed when it comes again.

    *scope* is a hash of the caller's token, so two scripts never share a key. An answer
    with *status* 0 is still being worked out (a second request with the key waits its turn).
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="method, address and body, hashed")
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=bytes)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_answer_per_key")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
