"""Time away, from calendars and entered by hand, and what to do about meetings inside it.

A meeting booked while its host will be away is found as soon as both are
known: it goes on the host's agenda (the absence-guard rule) and the worker
mails the host once. One action then offers new dates to every relation
affected at once, or hands the meetings to the backup colleague.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from verbind.lib.prepared import Prepared
from verbind.messaging import keys
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.models import Absence, BusyBlock
from verbind.workspaces.models import Membership

OPEN = [AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED]


def away_filter(member_field: str = "owner") -> Q:
    """Appointments whose host is away for (part of) them: a calendar absence or one entered by hand."""
    from_calendar = BusyBlock.objects.filter(
        membership__user=OuterRef(member_field),
        membership__workspace=OuterRef("workspace"),
        absence=True,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    by_hand = Absence.objects.filter(
        membership__user=OuterRef(member_field),
        workspace=OuterRef("workspace"),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    return Q(Exists(from_calendar)) | Q(Exists(by_hand))


def affected(membership, now=None):
    """The member's meetings still to come that fall while they are away."""
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            workspace_id=membership.workspace_id,
            owner_id=membership.user_id,
            status__in=OPEN,
            starts_at__gt=now,
        )
        .filter(away_filter())
        .select_related("person")
        .order_by("starts_at")
    )


def backup_for(membership, appointment):
    """Who stands in: the backup named on the absence, else the member's usual backup."""
    named = (
        Absence.objects.filter(
            membership=membership,
            starts_at__lt=appointment.ends_at,
            ends_at__gt=appointment.starts_at,
            backup__isnull=False,
        )
        .select_related("backup__user")
        .first()
    )
    return named.backup if named else membership.backup


# Asked for every repair the worker opens: prepared once (lib.prepared).
AWAY_BY_HAND = Prepared(
    lambda v: Absence.objects.filter(
        membership_id=v.membership, starts_at__lte=v.at, ends_at__gt=v.at
    ).values_list("pk")[:1]
)
AWAY_IN_CALENDAR = Prepared(
    lambda v: BusyBlock.objects.filter(
        membership_id=v.membership, absence=True, starts_at__lte=v.at, ends_at__gt=v.at
    ).values_list("pk")[:1]
)


def away_at(membership, moment) -> bool:
    """Is the member away at *moment* (a calendar absence or one entered by hand)?"""
    return bool(
        AWAY_BY_HAND.run(membership=membership.pk, at=moment)
        or AWAY_IN_CALENDAR.run(membership=membership.pk, at=moment)
    )


def stand_in(membership, now):
    """Who meets people for the member while they are away now: the backup named on the
    absence, else the usual backup. None when they are not away (or nobody stands in)."""
    if not away_at(membership, now):
        return None
    named = (
        Absence.objects.filter(
            membership=membership, starts_at__lte=now, ends_at__gt=now, backup__isnull=False
        )
        .select_related("backup__user")
        .first()
    )
    backup = named.backup if named else membership.backup
    if backup is None or backup.pk == membership.pk:
        return None
    return backup


def unwarned(now):
    """Meetings still to come that fall while their host is away, and of which the host
    was not yet told by mail; the first first."""
    warned = OutboxMessage.objects.filter(
        appointment=OuterRef("pk"), purpose=Purpose.ABSENCE, member=OuterRef("owner")
    )
    return (
        Appointment.objects.filter(status__in=OPEN, starts_at__gt=now)
        .filter(away_filter())
        .exclude(Exists(warned))
        .select_related("owner", "person")
        .order_by("starts_at", "id")
    )


def warn_host(meeting: Appointment) -> None:
    """Mail the host once about a meeting that falls while they are away."""
    membership = Membership.objects.filter(
        workspace_id=meeting.workspace_id, user=meeting.owner
    ).first()
    _queue_warning(meeting, membership)


def _queue_warning(meeting: Appointment, membership) -> None:
    host = meeting.owner
    language = membership.language if membership else "nl"
    zone = membership.zone if membership else timezone.get_default_timezone()
    subject, body = render(
        "absence",
        language,
        {
            "first_name": host.first_name or host.email,
            "meeting": meeting,
            "person": meeting.person,
            "when": local_text(meeting.starts_at, language, zone),
            "weeks": max((meeting.starts_at - timezone.now()) // timedelta(weeks=1), 0),
            "url": site_url("/calendars/"),
        },
    )
    mail_member(
        keys.absence_warning(meeting.pk, host.pk, meeting.starts_at),
        meeting.workspace_id,
        host,
        Purpose.ABSENCE,
        language,
        subject,
        body,
        appointment=meeting,
    )
