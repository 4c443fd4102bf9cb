"""E-mail through Django's mail machinery (SMTP when VERBIND_SMTP_HOST is set)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from verbind.messaging.channels import SendError


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


class Mailer:
    """One SMTP connection for a batch of messages; reopened after an error."""

    def __init__(self):
        self.connection = None

    def send(self, message) -> None:
        if not message.to_address:
            raise SendError("There is no e-mail address to send to.", permanent=True)
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
                self.connection.open()
            self.connection.send_messages([build(message)])
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise SendError(
                f"The mail server refused the address: {exc.recipients}", permanent=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            reason = f"The mail server answered {exc.smtp_code}: {exc.smtp_error!r}"
            raise SendError(reason, permanent=500 <= exc.smtp_code < 600) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(f"Could not reach the mail server: {exc}") from None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close too
                pass
            self.connection = None
