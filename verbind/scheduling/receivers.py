"""A meeting that was sent as an invite and then cancelled or moved is taken out of calendars."""

from __future__ import annotations

from django.dispatch import receiver

from verbind.obligations.models import Appointment, obligation_changed
from verbind.scheduling.invites import CANCEL, GONE, send_invites


@receiver(obligation_changed)
def withdraw_invite(sender, obligation, old, new, by, **kwargs):
    if isinstance(obligation, Appointment) and new in GONE and obligation.invited_at:
        send_invites(obligation, CANCEL)
