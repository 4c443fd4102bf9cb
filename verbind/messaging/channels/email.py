"""E-mail as Django builds it; the worker sends it over SMTP (see smtp_pool)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage


def configured() -> bool:
    """Verbind sends e-mail itself only with an SMTP server; else the member sends it."""
    return bool(settings.EMAIL_HOST)


def build(message) -> EmailMessage:
    sender = message.sender
    reply_to = [sender.email] if sender is not None and sender.email else []
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        reply_to=reply_to,
        headers={"Message-ID": message.message_id, "X-Verbind-Key": message.idempotency_key},
    )
