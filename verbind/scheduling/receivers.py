"""Keep the calendars that got an invite in step with the appointment.

Moved to a new time: the successor takes over the UID and goes out as a REQUEST
with a higher SEQUENCE, so calendars move the event instead of keeping two.
Cancelled: a CANCEL takes it out. Nothing is sent for a meeting never invited.
"""

from __future__ import annotations

from django.dispatch import receiver

from verbind.obligations.models import Appointment, AppointmentStatus, obligation_changed
from verbind.scheduling.invites import CANCEL, GONE, REQUEST, send_invites


@receiver(obligation_changed)
def follow_in_calendars(sender, obligation, old, new, by, **kwargs):
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
