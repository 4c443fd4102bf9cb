"""E-mail as Django builds it; the worker sends it over SMTP (see smtp_pool).

A message that carries a calendar invite is ``multipart/alternative`` with the
text, an HTML version and a ``text/calendar; method=…`` part whose method is the
calendar's own METHOD — the shape Outlook, Google and Apple Mail answer with
accept buttons rather than showing an attachment (RFC 6047).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils.html import linebreaks, urlize


def configured() -> bool:
    """Verbind sends e-mail itself only with an SMTP server; else the member sends it."""
    return bool(settings.EMAIL_HOST)


class InviteEmail(EmailMultiAlternatives):
    """Text, HTML and the calendar, as alternatives of one another."""

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype.split(";")[0])
        for parameter in mimetype.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            part.set_param(name, value)
        return part


def method_of(calendar: str) -> str:
    """The METHOD a stored invite carries (for the text/calendar part's parameter)."""
    for line in calendar.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return "PUBLISH"


def build(message) -> EmailMessage:
    sender = message.sender
    reply_to = [sender.email] if sender is not None and sender.email else []
    fields = dict(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        reply_to=reply_to,
        headers={"Message-ID": message.message_id, "X-Verbind-Key": message.idempotency_key},
    )
    if not message.calendar:
        return EmailMessage(**fields)
    mail = InviteEmail(**fields)
    mail.attach_alternative(linebreaks(urlize(message.body, autoescape=True)), "text/html")
    mail.attach_alternative(
        message.calendar, f"text/calendar; method={method_of(message.calendar)}"
    )
    return mail
