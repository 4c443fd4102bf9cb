"""The desk's worker steps: a host who does not answer in time has their backup asked, and
walk-ins who are not contacts are forgotten after the workspace's retention period."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.db.models.functions import Coalesce

from verbind.desk.models import DeskSettings, Visit
from verbind.desk.visits import tell_backup
from verbind.lib.steps import RowStep

ANSWER_WITHIN = DeskSettings._meta.get_field("answer_within").default
KEEP_WALK_INS = DeskSettings._meta.get_field("keep_walk_ins").default


def _plus(field: str, setting: str, default: timedelta):
    return ExpressionWrapper(
        F(field)
        + Coalesce(F(f"workspace__desk__{setting}"), Value(default, output_field=DurationField())),
        output_field=DateTimeField(),
    )


class UnansweredVisitors(RowStep):
    """A visitor waits and the host has not answered within the set time: ask the backup."""

    name = "handle_one_unanswered_visitor"
    order = 65

    def due(self, now):
        return (
            Visit.objects.filter(
                host_told_at__isnull=False,
                answer="",
                backup_told_at__isnull=True,
                handed_to__isnull=True,
                checked_out_at__isnull=True,
                failed_at__isnull=True,
            )
            .alias(ask_backup_at=_plus("host_told_at", "answer_within", ANSWER_WITHIN))
            .filter(ask_backup_at__lte=now)
            .order_by("host_told_at", "pk")
        )

    def handle(self, visit, now):
        tell_backup(visit, now)


class ForgetWalkIns(RowStep):
    """A walk-in who is not a contact is kept only as long as the workspace says."""

    name = "handle_one_old_walk_in"
    order = 95

    def due(self, now):
        return (
            Visit.objects.filter(appointment__isnull=True, person__isnull=True)
            .alias(forget_at=_plus("expected_at", "keep_walk_ins", KEEP_WALK_INS))
            .filter(forget_at__lte=now)
            .order_by("expected_at", "pk")
        )

    def handle(self, visit, now):
        visit.delete()


STEPS = [UnansweredVisitors, ForgetWalkIns]
