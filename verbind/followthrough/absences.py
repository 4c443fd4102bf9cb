"""What to do about meetings that fall while their host is away: new dates for all, or the backup.

Finding them (``scheduling.absences.affected``) is scheduling's; acting on them
takes drafts, invites and the timeline, so it lives here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from verbind.followthrough.drafts import make_draft
from verbind.messaging import keys
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.messaging.outbox import OutboxRefused, send
from verbind.obligations.models import Appointment
from verbind.people.models import Direction, Interaction, InteractionKind
from verbind.scheduling.absences import affected, backup_for
from verbind.scheduling.invites import REQUEST, send_invites, withdraw_from
from verbind.scheduling.models import Proposal, ProposalState


def offer_new_dates(membership, by=None, now=None) -> list[OutboxMessage]:
    """For every affected meeting: new dates (outside the absence) on a private link, sent now."""
    sent = []
    for meeting in affected(membership, now):
        if Proposal.objects.filter(
            replaces=meeting, state=ProposalState.OPEN, expires_at__gt=timezone.now()
        ).exists():
            continue  # new dates are on offer already, waiting for their choice
        # The same message as "Open draft" on Today's item for this meeting, either way;
        # a new one once the last was answered, declined, cancelled or expired.
        key = keys.agenda_draft(keys.absence_item(meeting.pk), membership.user_id)
        previous = OutboxMessage.objects.filter(idempotency_key=key).first()
        if previous is not None and previous.state != State.DRAFT:
            key = keys.fresh(key)
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
    moved, stuck = [], []
    for meeting in affected(membership, now):
        backup = backup_for(membership, meeting)
        if backup is None or backup.user_id == membership.user_id:
            stuck.append(meeting)
            continue
        if not give_meeting(meeting, membership, backup, by):
            continue
        moved.append(meeting)
    return moved, stuck


def give_meeting(meeting: Appointment, membership, backup, by=None) -> bool:
    """*meeting* goes from the absent *membership* to *backup*: out of the host's calendar,
    on the person's timeline, invites sent again, the backup told. False if it changed
    meanwhile (someone else moved it)."""
    changed = Appointment.objects.filter(
        pk=meeting.pk, owner_id=membership.user_id, status=meeting.status
    ).update(owner=backup.user, changed_by=by)
    if not changed:
        return False
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
    return True


def _tell_the_backup(meeting: Appointment, membership, backup) -> None:
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
    mail_member(
        keys.handover(meeting.pk, backup.user_id),
        meeting.workspace_id,
        backup.user,
        Purpose.ABSENCE,
        backup.language,
        subject,
        body,
        appointment=meeting,
    )
