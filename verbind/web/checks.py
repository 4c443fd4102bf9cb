"""System checks for a deployment: what would make Verbind break its promise quietly."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def mail_is_configured(app_configs, **kwargs):
    if settings.EMAIL_HOST:
        return []
    return [
        checks.Warning(
            "No SMTP server is configured, so Verbind cannot send mail.",
            hint="Set VERBIND_SMTP_HOST (and VERBIND_SMTP_USER / VERBIND_SMTP_PASSWORD).",
            id="verbind.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def hosts_are_configured(app_configs, **kwargs):
    local = {"127.0.0.1", "localhost", "[::1]"}
    if set(settings.ALLOWED_HOSTS) - local:
        return []
    return [
        checks.Warning(
            "Verbind only answers to this machine (127.0.0.1, localhost).",
            hint="Set VERBIND_ALLOWED_HOSTS to the host name people use.",
            id="verbind.W002",
        )
    ]
