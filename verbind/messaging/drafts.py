"""Ready drafts in the other person's language: warm, short, and naming what it is about."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from verbind.messaging.models import Channel, OutboxMessage, Purpose, State
from verbind.obligations.models import Appointment, Promise
from verbind.obligations.suggest import suggest_times

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


def next_step_of(times: list[datetime], new_due: datetime | None) -> dict:
    if times:
        return {"kind": "times", "times": [t.isoformat() for t in times]}
    if new_due:
        return {"kind": "new_due", "due_at": new_due.isoformat()}
    return {}


def preferred_channel(person) -> str:
    if person.preferred_channel == "whatsapp" and person.phone:
        return Channel.WHATSAPP
    if person.preferred_channel == "phone" and person.phone and not person.email:
        return Channel.PHONE
    if person.email:
        return Channel.EMAIL
    return Channel.WHATSAPP if person.phone else Channel.EMAIL


def new_message_id() -> str:
    domain = getattr(settings, "MESSAGE_ID_DOMAIN", "verbind.local")
    return f"<{uuid.uuid4().hex}@{domain}>"


def _times_for(appointment, sender, now) -> list[datetime]:
    """Free times from the host's working week and calendars (none if the sender is no member)."""
    from verbind.scheduling.slots import times_to_offer
    from verbind.workspaces.models import Membership

    host = Membership.objects.filter(workspace_id=appointment.workspace_id, user=sender).first()
    if host is None:
        return []
    return times_to_offer(
        host,
        appointment.ends_at - appointment.starts_at,
        now,
        guest_zone=appointment.person.zone(None),
    )


def make_draft(
    purpose: str,
    person,
    sender,
    zone,
    *,
    obligation=None,
    repair=None,
    key: str = "",
    template: str = "",
):
    """Write a draft into the outbox (or return the one already there for the same purpose).

    *template* picks other words for the same purpose (``move``: new dates because we
    will be away, rather than because the meeting fell through).
    """
    key = key or f"{purpose}:{person.pk}:{uuid.uuid4().hex}"
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    appointment = obligation if isinstance(obligation, Appointment) else None
    promise = obligation if isinstance(obligation, Promise) else None
    language = person.language
    their_zone = person.zone(zone)  # the times they read are in their own zone
    now = timezone.now()
    times: list[datetime] = []
    new_due = None
    if purpose in (Purpose.APOLOGY, Purpose.NEW_DATES) and appointment is not None:
        times = _times_for(appointment, sender, now) or suggest_times(
            max(now, appointment.starts_at), zone
        )
    elif purpose == Purpose.APOLOGY and promise is not None:
        new_due = suggest_times(now, zone, count=1)[0].replace(hour=17, minute=0)
    context = {
        "first_name": person.first_name,
        "person": person,
        "sender_name": sender.get_full_name() or sender.email,
        "appointment": appointment,
        "promise": promise,
        "missed": appointment is not None and appointment.status == "missed_by_us",
        "when": when_text(obligation.due, language, their_zone, zone) if obligation else "",
        "next_step_block": next_step_block(language, times, new_due, their_zone, zone),
    }
    subject, body = render(template or purpose, language, context)
    return OutboxMessage.objects.create(
        workspace=person.workspace,
        purpose=purpose,
        channel=preferred_channel(person),
        state=State.DRAFT,
        person=person,
        sender=sender,
        repair=repair,
        appointment=appointment or (repair.lapse.appointment if repair else None),
        promise=promise or (repair.lapse.promise if repair else None),
        language=language,
        to_address=person.email,
        subject=subject,
        body=body,
        has_apology=purpose == Purpose.APOLOGY,
        next_step=next_step_of(times, new_due),
        idempotency_key=key,
        message_id=new_message_id(),
    )
