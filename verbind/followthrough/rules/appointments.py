"""Meetings that ask for a follow-up: new dates after they cancelled, thanks after a first meeting."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from verbind.followthrough.rules.base import LOOK_BACK, AgendaItem, Context, unshown
from verbind.lib.prepared import Prepared
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Direction, Interaction
from verbind.scheduling.models import Proposal


def _sent(purposes):
    return Exists(
        OutboxMessage.objects.filter(
            appointment=OuterRef("pk"), purpose__in=purposes, state=State.SENT
        )
    )


CANCELLED = Prepared(
    lambda v: (
        Appointment.objects.filter(
            workspace_id=v.workspace,
            owner_id=v.member,
            status__in=[AppointmentStatus.CANCELLED_BY_THEM, AppointmentStatus.MISSED_BY_THEM],
            successor__isnull=True,
            closed_at__gt=v.since,
            closed_at__lte=v.at,
        )
        .exclude(_sent([Purpose.NEW_DATES]))
        # New dates were offered already (from their link, say): that offer is the follow-up,
        # and "none of these suit me" on it becomes a promise of its own.
        .exclude(Exists(Proposal.objects.filter(replaces=OuterRef("pk"))))
        .select_related("person__organisation")
        .defer(*unshown())
    )
)


def _first_meetings(v):
    earlier = Appointment.objects.filter(
        person=OuterRef("person"),
        status=AppointmentStatus.HELD,
        starts_at__lt=OuterRef("starts_at"),
    )
    heard_since = Interaction.objects.filter(
        person=OuterRef("person"),
        direction=Direction.OUTBOUND,
        occurred_at__gt=OuterRef("ends_at"),
    )
    return (
        Appointment.objects.filter(
            workspace_id=v.workspace,
            owner_id=v.member,
            status=AppointmentStatus.HELD,
            ends_at__gt=v.since,
            ends_at__lte=v.at,
        )
        .exclude(Exists(earlier))
        .exclude(Exists(heard_since))
        .exclude(_sent([Purpose.THANK_YOU, Purpose.FOLLOW_UP]))
        .select_related("person__organisation")
        .defer(*unshown())
    )


FIRST_MEETINGS = Prepared(_first_meetings)


def new_dates_after_their_cancel(ctx: Context) -> list[AgendaItem]:
    """They cancelled or did not come: offer new dates within the workspace's time (48 h)."""
    within = timedelta(hours=ctx.settings.new_dates_within_hours)
    items = []
    for appointment in CANCELLED.run(**ctx.values, since=ctx.at - LOOK_BACK):
        due_by = appointment.closed_at + within
        if appointment.status == AppointmentStatus.CANCELLED_BY_THEM:
            why = _("%(name)s cancelled “%(what)s”: offer new dates.")
        else:
            why = _("%(name)s could not make “%(what)s”: offer new dates.")
        items.append(
            AgendaItem(
                key=f"new-dates:{appointment.pk}",
                rule="new_dates_after_their_cancel",
                why=why % {"name": appointment.person.name, "what": appointment.title},
                due_by=due_by,
                urgency=ctx.urgency(due_by),
                person=appointment.person,
                obligation=appointment,
                purpose="new_dates",
                actions=["draft", "done", "snooze"],
            )
        )
    return items


def thank_you_after_first_meeting(ctx: Context) -> list[AgendaItem]:
    """A first meeting was held: thank them and follow up within the workspace's time (48 h)."""
    within = timedelta(hours=ctx.settings.thank_you_within_hours)
    appointments = FIRST_MEETINGS.run(**ctx.values, since=ctx.at - LOOK_BACK)
    return [
        AgendaItem(
            key=f"thank-you:{appointment.pk}",
            rule="thank_you_after_first_meeting",
            why=_("First meeting with %(name)s: say thank you and follow up.")
            % {"name": appointment.person.name},
            due_by=appointment.ends_at + within,
            urgency=ctx.urgency(appointment.ends_at + within),
            person=appointment.person,
            obligation=appointment,
            purpose="thank_you",
            actions=["draft", "done", "snooze"],
        )
        for appointment in appointments
    ]
