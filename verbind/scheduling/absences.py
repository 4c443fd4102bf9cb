"""Time away, from calendars and entered by hand, and what to do about meetings inside it.

A meeting booked while its host will be away is found as soon as both are
known: it goes on the host's agenda (the absence-guard rule) and the worker
mails the host once. One action then offers new dates to every relation
affected at once, or hands the meetings to the backup colleague.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from verbind.messaging.channels import email
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.models import Absence, BusyBlock

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


def offer_new_dates(membership, by=None, now=None) -> list[OutboxMessage]:
    """For every affected meeting: new dates (outside the absence) on a private link, sent now."""
    from verbind.messaging.drafts import make_draft
    from verbind.messaging.outbox import OutboxRefused, send
    from verbind.scheduling.models import Proposal, ProposalState

    sent = []
    for meeting in affected(membership, now):
        if Proposal.objects.filter(
            replaces=meeting, state=ProposalState.OPEN, expires_at__gt=timezone.now()
        ).exists():
            continue  # new dates are on offer already, waiting for their choice
        # The same key as "Open draft" on Today's item: one message per meeting, either way;
        # a new one once the last was answered, declined, cancelled or expired.
        key = f"draft:absence:{meeting.pk}:{membership.user_id}"
        previous = OutboxMessage.objects.filter(idempotency_key=key).first()
        if previous is not None and previous.state != "draft":
            key = f"{key}:{uuid.uuid4().hex[:8]}"
        message = make_draft(
            Purpose.NEW_DATES,
            meeting.person,
            membership.user,
            membership.zone,
            obligation=meeting,
            key=key,
            template="move",
        )
        try:
            send(message, by=by or membership.user)
        except OutboxRefused:
            continue  # no address: it stays a draft in the outbox for the member
        sent.append(message)
    return sent


@transaction.atomic
def hand_to_backup(membership, by=None, now=None) -> tuple[list[Appointment], list[Appointment]]:
    """Each affected meeting goes to the backup colleague; invites follow, and they are told.

    Returns the meetings handed over, and those left because nobody stands in for them.
    """
    from verbind.people.models import Direction, Interaction, InteractionKind
    from verbind.scheduling.invites import REQUEST, send_invites, withdraw_from

    moved, stuck = [], []
    for meeting in affected(membership, now):
        backup = backup_for(membership, meeting)
        if backup is None or backup.user_id == membership.user_id:
            stuck.append(meeting)
            continue
        changed = Appointment.objects.filter(
            pk=meeting.pk, owner_id=membership.user_id, status=meeting.status
        ).update(owner=backup.user, changed_by=by)
        if not changed:
            continue
        withdraw_from(meeting, membership.user)  # out of the absent host's calendar
        meeting.owner = backup.user
        with translation.override(membership.language):
            note = _("%(host)s is away; %(backup)s hosts “%(title)s” instead.") % {
                "host": membership.display_name,
                "backup": backup.display_name,
                "title": meeting.title,
            }
        Interaction.objects.create(
            workspace_id=meeting.workspace_id,
            person=meeting.person,
            member=membership.user,
            kind=InteractionKind.NOTE,
            direction=Direction.MUTUAL,
            notes=note,
        )
        if meeting.invited_at:
            send_invites(meeting, REQUEST)
        _tell_the_backup(meeting, membership, backup)
        moved.append(meeting)
    return moved, stuck


def _tell_the_backup(meeting: Appointment, membership, backup) -> None:
    if not (email.configured() and backup.user.email):
        return
    from verbind.followthrough.worker import queue_member_mail, site_url
    from verbind.messaging.drafts import local_text, render

    subject, body = render(
        "handover",
        backup.language,
        {
            "first_name": backup.user.first_name or backup.user.email,
            "host": membership.display_name,
            "meeting": meeting,
            "person": meeting.person,
            "when": local_text(meeting.starts_at, backup.language, backup.zone),
            "url": site_url(meeting.person.get_absolute_url()),
        },
    )
    queue_member_mail(
        f"handover:{meeting.pk}:{backup.user_id}",
        meeting.workspace_id,
        backup.user,
        Purpose.ABSENCE,
        backup.language,
        subject,
        body,
        appointment=meeting,
    )


def handle_one_warning(now) -> bool:
    """Worker step: mail a host once about a meeting that falls while they are away."""
    if not email.configured():
        return False  # the agenda shows it; the mail waits until there is a mail server
    from verbind.workspaces.models import Membership

    warned = OutboxMessage.objects.filter(
        appointment=OuterRef("pk"), purpose=Purpose.ABSENCE, member=OuterRef("owner")
    )
    meeting = (
        Appointment.objects.filter(status__in=OPEN, starts_at__gt=now)
        .filter(away_filter())
        .exclude(Exists(warned))
        .select_related("owner", "person")
        .order_by("starts_at", "id")
        .first()
    )
    if meeting is None:
        return False
    membership = Membership.objects.filter(
        workspace_id=meeting.workspace_id, user=meeting.owner
    ).first()
    _queue_warning(meeting, membership)
    return True


def _queue_warning(meeting: Appointment, membership) -> None:
    from verbind.followthrough.worker import queue_member_mail, site_url
    from verbind.messaging.drafts import local_text, render

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
    queue_member_mail(
        f"absence:{meeting.pk}:{host.pk}:{meeting.starts_at:%Y%m%d%H%M}",
        meeting.workspace_id,
        host,
        Purpose.ABSENCE,
        language,
        subject,
        body,
        appointment=meeting,
    )
