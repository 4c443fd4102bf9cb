"""Warm drafts for keeping in touch: they pick up from the last conversation, never
"just checking in", and mention a pending decision lightly, without pressure."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from verbind.messaging.drafts import preferred_channel, render
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.people.models import Direction, Interaction, InteractionKind

# Our own mails and app messages are on the timeline too; a draft picks up from a conversation.
OUR_WORDS = [InteractionKind.EMAIL, InteractionKind.MESSAGE]


def last_conversation(person, before: datetime | None = None) -> Interaction | None:
    """The newest entry where the two of you talked (not a copy of a message we sent)."""
    entries = Interaction.objects.filter(person=person, occurred_at__lte=before or timezone.now())
    entries = entries.exclude(direction=Direction.OUTBOUND, kind__in=OUR_WORDS)
    return entries.order_by("-occurred_at", "-id").first()


def topic(entry: Interaction | None) -> str:
    """What the conversation was about, in one line a draft can quote."""
    if entry is None:
        return ""
    line = entry.notes.strip().splitlines()[0] if entry.notes.strip() else ""
    return line if len(line) <= 140 else line[:139].rstrip() + "…"


def season(moment: datetime, zone) -> str:
    """The time of year a warm question can start from (story 4: "how was your summer?")."""
    month = timezone.localtime(moment, zone).month
    return {12: "holidays", 1: "new_year", 9: "after_summer", 10: "after_summer"}.get(
        month, "spring" if month in (3, 4, 5) else "summer" if month in (6, 7, 8) else ""
    )


def _context(person, sender, zone, **extra) -> dict:
    entry = extra.pop("entry", None) or last_conversation(person)
    return {
        "first_name": person.first_name,
        "person": person,
        "sender_name": sender.get_full_name() or sender.email,
        "topic": topic(entry),
        "season": season(timezone.now(), person.zone(zone)),
        **extra,
    }


def _write(key: str, template: str, person, sender, context: dict) -> OutboxMessage:
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    subject, body = render(template, person.language, context)
    message, _new = enqueue(
        key,
        then=DRAFT,
        workspace_id=person.workspace_id,
        purpose=Purpose.FOLLOW_UP,
        channel=preferred_channel(person),
        person=person,
        sender=sender,
        language=person.language,
        to_address=person.email,
        subject=subject,
        body=body,
    )
    return message


def _zone(member):
    # The member's zone, for the season; the person's own zone wins where it is known.
    membership = member.memberships.first()
    return membership.zone if membership else timezone.get_default_timezone()


def cadence_draft(cadence, sender, key: str) -> OutboxMessage:
    person = cadence.person
    return _write(key, "keep_in_touch", person, sender, _context(person, sender, _zone(sender)))


STEP_KEY = "nudge:"  # every step's message is keyed "nudge:<nudge>:<step>"


def nudge_step_draft(nudge, number: int) -> OutboxMessage:
    person, sender = nudge.person, nudge.owner
    context = _context(
        person, sender, _zone(sender), about=nudge.about, step=number, last=number >= nudge.cap
    )
    return _write(f"{STEP_KEY}{nudge.pk}:{number}", "nudge", person, sender, context)


def closing_draft(nudge, sender) -> OutboxMessage:
    person = nudge.person
    context = _context(person, sender, _zone(sender), about=nudge.about)
    return _write(f"nudge-close:{nudge.pk}", "nudge_close", person, sender, context)


def nice_to_meet_draft(met, sender, key: str) -> OutboxMessage:
    person = met.person
    context = _context(
        person, sender, _zone(sender), event=met.event, line=met.line.strip(), entry=None
    )
    context["topic"] = met.line.strip() or context["topic"]
    return _write(key, "nice_to_meet", person, sender, context)
