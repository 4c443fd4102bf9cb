"""Keep the calendars that got an invite in step with the appointment; offer times by link.

Moved to a new time: the successor takes over the UID and goes out as a REQUEST
with a higher SEQUENCE, so calendars move the event instead of keeping two.
Cancelled: a CANCEL takes it out. Nothing is sent for a meeting never invited.
"""

from __future__ import annotations

from datetime import timedelta

from django.dispatch import receiver
from django.utils import timezone

from verbind.messaging.drafts import next_step_block
from verbind.messaging.signals import message_released
from verbind.obligations.models import Appointment, AppointmentStatus, obligation_changed
from verbind.scheduling.invites import CANCEL, GONE, REQUEST, send_invites
from verbind.scheduling.proposals import default_title, link, propose
from verbind.scheduling.slots import busy, times_to_offer
from verbind.workspaces.models import Membership


@receiver(obligation_changed)
def follow_in_calendars(sender, obligation, old, new, by, **kwargs):
    if isinstance(obligation, Appointment) and obligation.invited_at and old in GONE:
        if new not in GONE:  # a cancellation undone: back in their calendars
            send_invites(obligation, REQUEST)
        return
    if not isinstance(obligation, Appointment) or not obligation.invited_at or new not in GONE:
        return
    successor = obligation.successor
    if new == AppointmentStatus.RESCHEDULED and successor is not None:
        Appointment.objects.filter(pk=successor.pk, invited_at__isnull=True).update(
            ical_uid=obligation.ical_uid,
            ical_sequence=obligation.ical_sequence,
            invited_at=obligation.invited_at,
        )
        successor.refresh_from_db()
        send_invites(successor, REQUEST)
        return
    send_invites(obligation, CANCEL)


LINK_LINE = {
    "nl": "Kies hier het moment dat jou het best past: {link}",
    "en": "Pick the time that suits you best here: {link}",
}


@receiver(message_released)
def offer_times_by_link(sender, message, by, **kwargs):
    """Proposed times in a message become a private link where they pick one."""
    step = message.next_step
    if step.kind != "times" or step.proposal or message.person_id is None:
        return
    host = (
        Membership.objects.filter(pk=step.host, workspace_id=message.workspace_id).first()
        if step.host
        else Membership.objects.filter(workspace_id=message.workspace_id, user=by).first()
    )
    if host is None:
        return
    meeting = message.appointment
    if step.minutes:
        duration = timedelta(minutes=step.minutes)
    else:
        duration = (meeting.ends_at - meeting.starts_at) if meeting else timedelta(hours=1)
    step = _still_free(message, step, host, duration)
    proposal, raw = propose(
        host,
        message.person,
        step.title or (meeting.title if meeting else default_title(message.person)),
        step.times,
        duration,
        place=step.place if step.place is not None else (meeting.place if meeting else ""),
        replaces=meeting,
    )
    line = LINK_LINE.get(message.language, LINK_LINE["en"]).format(link=link(raw))
    message.body = _before_the_sign_off(message.body, line)
    message.next_step = step.held_on(proposal.pk)
    type(message).objects.filter(pk=message.pk).update(
        body=message.body, next_step=message.next_step
    )


def _still_free(message, step, host, duration):
    """A draft's times may have gone to someone else (or passed) since it was written: those
    are replaced by fresh ones, in the text too, before it goes out."""
    now = timezone.now()
    free = [
        start for start in step.times if start > now and not busy(host, start, start + duration)
    ]
    if len(free) == len(step.times):
        return step
    fresh = [
        start
        for start in times_to_offer(
            host,
            duration,
            now,
            count=len(step.times) + len(free),
            guest_zone=message.person.zone(None),
        )
        if start not in free
    ]
    times = sorted(free + fresh[: len(step.times) - len(free)])
    zone = message.person.zone(host.zone)
    old = next_step_block(message.language, step.times, None, zone, host.zone)
    new = next_step_block(message.language, times, None, zone, host.zone)
    message.body = message.body.replace(old, new) if old in message.body else message.body
    return step.model_copy(update={"times": times}) if times else step


def _before_the_sign_off(body: str, line: str) -> str:
    """The link goes with the dates, above "Warm regards, Name" — not under the signature."""
    paragraphs = body.rstrip().split("\n\n")
    if len(paragraphs) < 3:
        return body.rstrip() + "\n\n" + line + "\n"
    return "\n\n".join([*paragraphs[:-1], line, paragraphs[-1]]) + "\n"
