"""What is still owed to a person besides open meetings and promises: repairs, and times on
offer that wait for their choice (the person page lists them under "Open")."""

from __future__ import annotations

from django.utils import timezone

from verbind.followthrough.models import Repair, RepairState
from verbind.followthrough.rules.repairs import repair_key, repair_reason
from verbind.scheduling.models import Proposal, ProposalState


def open_repairs(person) -> list[Repair]:
    repairs = list(
        Repair.objects.filter(person=person, state=RepairState.OPEN)
        .select_related("owner", "lapse__appointment", "lapse__promise")
        .order_by("deadline_at", "id")
    )
    for repair in repairs:
        repair.reason = repair_reason(repair)
        repair.agenda_key = repair_key(repair.lapse.obligation)
    return repairs


def open_offers(person) -> list[Proposal]:
    return list(
        Proposal.objects.filter(
            person=person, state=ProposalState.OPEN, expires_at__gt=timezone.now()
        )
        .select_related("host__user")
        .order_by("expires_at", "id")
    )


def with_what_is_owed(timeline, person):
    """The person's timeline with their open repairs and offers added to what is open."""
    timeline.repairs = open_repairs(person)
    timeline.offers = open_offers(person)
    return timeline
