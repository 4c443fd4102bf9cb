"""Calendar invites by e-mail (iTIP, RFC 5546; iMIP, RFC 6047).

A booked meeting goes to both sides as ``METHOD:REQUEST``; a cancelled or moved
one as ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` (a REQUEST that says
cancelled would leave it standing in people's calendars). The UID stays the
same for the life of the appointment and its SEQUENCE rises with every change
the other side's calendar must follow: time, place, status. Times are in UTC.
Reminders are Verbind's own messages, so there is no VALARM.
"""

from __future__ import annotations

import uuid
from datetime import UTC

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from verbind.messaging import keys
from verbind.messaging.channels import email
from verbind.messaging.drafts import render, when_text
from verbind.messaging.enqueue import enqueue
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.models import Proposal
from verbind.workspaces.models import Membership

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Verbind//Verbind//EN"
# An appointment in one of these states is gone from the calendars it was sent to.
GONE = {
    AppointmentStatus.CANCELLED_BY_US,
    AppointmentStatus.CANCELLED_BY_THEM,
    AppointmentStatus.RESCHEDULED,
}


def organizer_address(appointment: Appointment) -> str:
    return appointment.owner.email or settings.DEFAULT_FROM_EMAIL


def calendar_text(appointment: Appointment, method: str, now=None) -> str:
    """The iTIP calendar for *appointment*: one VEVENT, its METHOD, times in UTC."""
    now = now or timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", appointment.ical_uid)
    event.add("sequence", appointment.ical_sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", appointment.title)
    if appointment.place:
        event.add("location", appointment.place)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    host = appointment.owner
    organizer = icalendar.vCalAddress(f"mailto:{organizer_address(appointment)}")
    organizer.params["cn"] = icalendar.vText(host.get_full_name() or host.email)
    event.add("organizer", organizer)
    person = appointment.person
    if person.email:
        attendee = icalendar.vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = icalendar.vText(person.name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText(
            "NEEDS-ACTION" if method == REQUEST else "DECLINED"
        )
        attendee.params["rsvp"] = icalendar.vText("TRUE" if method == REQUEST else "FALSE")
        event.add("attendee", attendee)
    for colleague in co_hosts(appointment):
        extra = icalendar.vCalAddress(f"mailto:{colleague.email}")
        extra.params["cn"] = icalendar.vText(colleague.get_full_name() or colleague.email)
        extra.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        extra.params["partstat"] = icalendar.vText(
            "NEEDS-ACTION" if method == REQUEST else "DECLINED"
        )
        extra.params["rsvp"] = icalendar.vText("TRUE" if method == REQUEST else "FALSE")
        event.add("attendee", extra)
    cal.add_component(event)
    return cal.to_ical().decode()


def co_hosts(appointment: Appointment) -> list:
    """Colleagues who join the meeting: the co-host of the offer it (or a meeting it replaced)
    was booked from."""
    chain, current = [appointment.pk], appointment
    for _step in range(20):  # a meeting moved again and again: follow it back
        current = Appointment.objects.filter(successor=current).only("pk").first()
        if current is None:
            break
        chain.append(current.pk)
    found = (
        Proposal.objects.filter(booked__in=chain, co_host__isnull=False)
        .select_related("co_host__user")
        .order_by("-created_at")
        .first()
    )
    return [found.co_host.user] if found and found.co_host.user.email else []


def withdraw_from(appointment: Appointment, user) -> OutboxMessage | None:
    """Take the meeting out of one colleague's calendar (a host handing it over): a CANCEL to them."""
    if not appointment.invited_at or not user.email:
        return None
    Appointment.objects.filter(pk=appointment.pk).update(ical_sequence=F("ical_sequence") + 1)
    appointment.refresh_from_db(fields=["ical_sequence"])
    membership = _membership_of(appointment, user)
    language = membership.language if membership else appointment.person.language
    zone = membership.zone if membership else timezone.get_default_timezone()
    subject, body = render(
        "handed_over",
        language,
        {
            "first_name": user.first_name or user.email,
            "appointment": appointment,
            "when": when_text(appointment.starts_at, language, zone),
            "person": appointment.person,
            "attached": email.configured(),
        },
    )
    message, _new = enqueue(
        keys.withdrawal(appointment.pk, appointment.ical_sequence, user.pk),
        workspace_id=appointment.workspace_id,
        purpose=Purpose.CANCELLATION,
        member=user,
        sender=user,
        appointment=appointment,
        language=language,
        to_address=user.email,
        subject=subject,
        body=body,
        calendar=calendar_text(appointment, CANCEL),
    )
    return message


def _membership_of(appointment: Appointment, user=None):
    return (
        Membership.objects.filter(
            workspace_id=appointment.workspace_id, user=user or appointment.owner
        )
        .select_related("user")
        .first()
    )


def ensure_uid(appointment: Appointment) -> str:
    """The appointment's calendar UID: random, made once, the same in invites and feeds."""
    if not appointment.ical_uid:
        uid = f"{uuid.uuid4()}@{settings.MESSAGE_ID_DOMAIN}"
        Appointment.objects.filter(pk=appointment.pk, ical_uid="").update(ical_uid=uid)
        appointment.refresh_from_db(fields=["ical_uid"])
    return appointment.ical_uid


@transaction.atomic
def send_invites(appointment: Appointment, method: str = REQUEST) -> list[OutboxMessage]:
    """Queue the invite (or cancellation) to the relation and to the host, once per version.

    The first invite is SEQUENCE 0; every later one raises it. Without SMTP the
    messages wait in the outbox for the member, like every other message.
    """
    if method == CANCEL and appointment.invited_at is None:
        return []  # nothing was ever sent, so there is nothing to take back
    ensure_uid(appointment)
    if appointment.invited_at is not None:
        Appointment.objects.filter(pk=appointment.pk).update(ical_sequence=F("ical_sequence") + 1)
        appointment.refresh_from_db(fields=["ical_sequence"])
    else:
        appointment.invited_at = timezone.now()
        Appointment.objects.filter(pk=appointment.pk).update(invited_at=appointment.invited_at)
    text = calendar_text(appointment, method)
    membership = _membership_of(appointment)
    person = appointment.person
    purpose = Purpose.INVITE if method == REQUEST else Purpose.CANCELLATION
    template = "invite" if method == REQUEST else "cancellation"
    queued = []
    # (key, address, language, first name, the relation or the colleague, their zone)
    recipients = [
        (
            "relation",
            person.email,
            person.language,
            person.first_name,
            person,
            person_zone(person, membership) if membership else None,
        )
    ]
    # Without a mail server the host would have to mail their own copy to themself: it is
    # in their calendar feed instead, so only the relation's (and a co-host's) is written.
    colleagues = [appointment.owner] if membership is not None and email.configured() else []
    for colleague in colleagues + co_hosts(appointment):
        theirs = _membership_of(appointment, colleague) or membership
        recipients.append(
            (
                "host" if colleague == appointment.owner else f"host-{colleague.pk}",
                colleague.email,
                theirs.language,
                colleague.first_name or colleague.email,
                colleague,
                theirs.zone,
            )
        )
    for side, address, language, first_name, recipient, zone in recipients:
        if not address:
            continue
        zone = zone or timezone.get_default_timezone()
        subject, body = render(
            f"{template}_{side.split('-')[0]}",
            language,
            {
                "first_name": first_name,
                "appointment": appointment,
                "when": when_text(
                    appointment.starts_at, language, zone, membership.zone if membership else None
                ),
                "attached": email.configured(),
                "host_name": appointment.owner.get_full_name() or appointment.owner.email,
                "person": person,
            },
        )
        message, _new = enqueue(
            keys.invite(template, appointment.pk, appointment.ical_sequence, side),
            workspace_id=appointment.workspace_id,
            purpose=purpose,
            person=recipient if side == "relation" else None,
            member=None if side == "relation" else recipient,
            sender=appointment.owner,
            appointment=appointment,
            language=language,
            to_address=address,
            subject=subject,
            body=body,
            calendar=text,
        )
        queued.append(message)
    return queued


def person_zone(person, membership):
    """The relation's own time zone where we know it, else the host's."""
    return person.zone(membership.zone)
