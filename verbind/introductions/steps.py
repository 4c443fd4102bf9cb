"""The introductions' worker step: reminders, decisions and "did it help?" as time passes."""

from __future__ import annotations

from django.db import transaction

from verbind.introductions.flow import look_again
from verbind.introductions.models import Introduction
from verbind.lib.steps import RowStep


class IntroductionChecks(RowStep):
    """An introduction whose time came: a gentle reminder, a decision, or "did it help?".

    The row is claimed by a compare-and-set on its ``next_check_at``: of two workers
    that pick it at once, one does the work and the other finds it gone.
    """

    name = "handle_one_introduction"
    order = 47

    def due(self, now):
        return (
            Introduction.objects.filter(next_check_at__isnull=False, next_check_at__lte=now)
            .select_related("a", "b", "member")
            .order_by("next_check_at", "id")
        )

    def handle(self, intro, now):
        with transaction.atomic():
            claimed = Introduction.objects.filter(
                pk=intro.pk, next_check_at=intro.next_check_at
            ).update(next_check_at=None)
            if claimed:
                intro.next_check_at = None
                look_again(intro, now)


STEPS = [IntroductionChecks]
