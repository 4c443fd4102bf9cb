"""The absence guard: a meeting booked while the host will be away."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from verbind.followthrough.rules.base import AgendaItem, Context, unshown
from verbind.lib.prepared import Prepared
from verbind.messaging import keys
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.absences import away_filter
from verbind.scheduling.models import Proposal, ProposalState

AWAY = Prepared(
    lambda v: (
        Appointment.objects.filter(
            workspace_id=v.workspace,
            owner_id=v.member,
            status__in=[AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED],
            starts_at__gt=v.at,
        )
        .filter(away_filter())
        .annotate(
            offered=Exists(
                Proposal.objects.filter(
                    replaces=OuterRef("pk"), state=ProposalState.OPEN, expires_at__gt=v.at
                )
            )
        )
        .select_related("person__organisation")
        .defer(*unshown())
    )
)


def absence_guard(ctx: Context) -> list[AgendaItem]:
    """As soon as both are known: warn the host, and offer new dates to the relation.

    Due by the meeting itself; the sooner it is moved, the better for the other side.
    """
    return [_item(ctx, meeting) for meeting in AWAY.run(**ctx.values)]


def _item(ctx: Context, meeting) -> AgendaItem:
    names = {"what": meeting.title, "name": meeting.person.name}
    if meeting.offered:  # done what it asked: the item says what it waits for now
        why = _("New dates for “%(what)s” are on offer to %(name)s; waiting for their choice.")
        actions = ["done", "snooze"]
    else:
        why = _("You will be away during “%(what)s” with %(name)s: offer new dates now.")
        actions = ["draft", "done", "snooze"]
    return AgendaItem(
        key=keys.absence_item(meeting.pk),
        rule="absence_guard",
        why=why % names,
        due_by=meeting.starts_at,
        urgency=ctx.urgency(meeting.starts_at),
        person=meeting.person,
        obligation=meeting,
        purpose="new_dates",
        actions=actions,
    )
