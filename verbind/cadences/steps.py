"""Keeping in touch's worker step: a nudge step goes out by itself where the workspace allows."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef

from verbind.cadences import nudges
from verbind.cadences.models import Nudge, NudgeState, NudgeStep
from verbind.lib.steps import RowStep


class NudgeStepsByThemselves(RowStep):
    """A due step of a nudge, in a workspace that lets Verbind send them: sent once.

    Claimed with a compare-and-set (``nudges.claim_step``), so two workers never send
    the same step; a step that could not go out (no address) waits for the member.
    """

    name = "handle_one_nudge_step"
    order = 75

    def due(self, now):
        tried = NudgeStep.objects.filter(
            nudge=OuterRef("pk"), number=OuterRef("steps_sent") + 1, by_itself=True
        )
        return (
            Nudge.objects.filter(
                state=NudgeState.WAITING,
                next_at__lte=now,
                steps_sent__lt=F("cap"),
                workspace__cadence_settings__send_nudges_by_itself=True,
            )
            .exclude(Exists(tried))
            .select_related("person", "owner", "workspace")
            .order_by("next_at", "id")
        )

    def handle(self, nudge, now):
        nudges.send_step_by_itself(nudge)


STEPS = [NudgeStepsByThemselves]
