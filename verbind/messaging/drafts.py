"""The words of a message: templates in the reader's language, times in the reader's zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from verbind.messaging.models import Channel

WHEN_FORMAT = "l j F, H:i"


def local_text(moment: datetime, language: str, zone: zoneinfo.ZoneInfo) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment, zone), WHEN_FORMAT)


def when_text(moment: datetime, language: str, zone, home_zone=None) -> str:
    """The moment as the reader says it; naming their zone when it is not the sender's."""
    text = local_text(moment, language, zone)
    if home_zone is not None and str(zone) != str(home_zone):
        text += f" ({zone})"
    return text


def render(template: str, language: str, context: dict) -> tuple[str, str]:
    """Render a draft template; its first line is ``Subject: …``. Returns (subject, body)."""
    with translation.override(language):
        text = render_to_string(f"messaging/drafts/{template}.{language}.txt", context)
    first, _, rest = text.partition("\n")
    return first.removeprefix("Subject: ").strip(), rest.strip() + "\n"


def next_step_block(
    language: str, times: list[datetime], new_due: datetime | None, zone, home_zone=None
) -> str:
    """The dates to pick from (or the new promised time), in the reader's zone.

    When that is not the sender's *home_zone*, the block says which zone it is.
    """
    if not times and new_due is None:
        return ""
    context = {
        "times": [local_text(t, language, zone) for t in times],
        "new_due": local_text(new_due, language, zone) if new_due else "",
        "zone": str(zone) if home_zone is not None and str(zone) != str(home_zone) else "",
    }
    with translation.override(language):
        return render_to_string(f"messaging/drafts/next_step.{language}.txt", context).strip()


def preferred_channel(person) -> str:
    if person.preferred_channel == "whatsapp" and person.phone:
        return Channel.WHATSAPP
    if person.preferred_channel == "phone" and person.phone and not person.email:
        return Channel.PHONE
    if person.email:
        return Channel.EMAIL
    return Channel.WHATSAPP if person.phone else Channel.EMAIL
