"""What the outbox tells the introductions: one of their messages was handed over."""

from __future__ import annotations

from django.dispatch import receiver

from verbind.introductions import flow
from verbind.introductions.keys import role_of
from verbind.messaging.signals import message_released


@receiver(message_released, dispatch_uid="introductions.released")
def released(sender, message, by=None, **kwargs):
    found = role_of(message.idempotency_key)
    if found is not None:
        flow.on_released(*found)
