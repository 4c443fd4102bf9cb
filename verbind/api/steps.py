"""The API's worker step: answers kept for an ``Idempotency-Key`` go after a day."""

from __future__ import annotations

from verbind.api.models import KEPT_FOR, IdempotentAnswer
from verbind.lib.steps import Step


class OldIdempotentAnswers(Step):
    name = "forget_old_idempotent_answers"
    order = 105

    def __call__(self, now) -> bool:
        old = IdempotentAnswer.objects.filter(created_at__lt=now - KEPT_FOR)
        ids = list(old.values_list("pk", flat=True)[:1000])
        gone, _kinds = IdempotentAnswer.objects.filter(pk__in=ids).delete()
        return gone > 0


STEPS = [OldIdempotentAnswers]
