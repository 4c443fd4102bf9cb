"""Ready drafts about an obligation, in the other person's language: warm, short, and concrete.

An apology or new-dates draft offers times from the one slot finder
(``scheduling.slots.times_to_offer``): the working week, meetings, calendars,
absences and times held on other offers. While the host is away, the times are
those of the colleague who stands in. If nobody has a free time, the draft
offers none rather than times nobody can keep.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from verbind.messaging import keys
from verbind.messaging.drafts import next_step_block, preferred_channel, render, when_text
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.messaging.nextstep import NextStep
from verbind.obligations.models import Appointment, AppointmentStatus, Promise, PromiseKind
from verbind.scheduling.absences import stand_in
from verbind.scheduling.models import Proposal
from verbind.scheduling.slots import PARTS_OF_DAY, times_to_offer
from verbind.workspaces.models import Membership

END_OF_DAY = time(17, 0)


def who_meets(obligation, sender, now: datetime) -> Membership | None:
    """Whose free times a new meeting takes: the host's, or their stand-in's while they are away."""
    host = (
        Membership.objects.filter(workspace_id=obligation.workspace_id, user_id=obligation.owner_id)
        .select_related("user", "backup__user")
        .first()
    ) or Membership.objects.filter(workspace_id=obligation.workspace_id, user=sender).first()
    if host is None:
        return None
    return stand_in(host, now) or host


def declined_offer(promise) -> Proposal | None:
    """The offer whose "none of these suit me" made this promise to send other dates."""
    if promise is None or promise.kind != PromiseKind.NEW_DATES:
        return None
    return (
        Proposal.objects.filter(owed=promise)
        .select_related("replaces")
        .order_by("-created_at", "-id")
        .first()
    )


def after_their_answer(proposal: Proposal) -> dict:
    """What their answer asks of the new times: not those again, and a part of the day or a
    later week if they said so."""
    slots = [(slot.starts_at, slot.ends_at) for slot in proposal.slots.all()]
    wish: dict = {"avoid": slots}
    if proposal.preference in PARTS_OF_DAY:
        wish["part_of_day"] = proposal.preference
    elif proposal.preference == "later":
        last = max((start for start, _end in slots), default=timezone.now())
        local = last.astimezone(proposal.host.zone).date()
        monday = local + timedelta(days=7 - local.weekday())
        wish["not_before"] = datetime.combine(monday, time(0), proposal.host.zone)
    return wish


def next_working_day(now: datetime, zone) -> datetime:
    """A new promised time: the end of the next working day, in the member's zone."""
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, END_OF_DAY, zone)


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
) -> OutboxMessage:
    """Write a draft into the outbox (or return the one already there for the same key).

    *template* picks other words for the same purpose (``move``: new dates because we
    will be away, rather than because the meeting fell through).
    """
    key = key or keys.one_off(purpose, person.pk)
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    appointment = obligation if isinstance(obligation, Appointment) else None
    promise = obligation if isinstance(obligation, Promise) else None
    language = person.language
    their_zone = person.zone(zone)  # the times they read are in their own zone
    now = timezone.now()
    step = NextStep()
    declined = declined_offer(promise)
    if declined is not None and purpose in (Purpose.APOLOGY, Purpose.NEW_DATES, Purpose.FOLLOW_UP):
        return _other_dates(purpose, person, sender, zone, promise, declined, key, repair, now)
    if purpose in (Purpose.APOLOGY, Purpose.NEW_DATES) and appointment is not None:
        host = who_meets(appointment, sender, now)
        times = (
            times_to_offer(
                host,
                appointment.ends_at - appointment.starts_at,
                now,
                guest_zone=person.zone(None),
                guest=person,
            )
            if host is not None
            else []
        )
        if times:
            step = NextStep(kind="times", times=times, host=host.pk)
    elif purpose == Purpose.APOLOGY and promise is not None:
        step = NextStep.of([], next_working_day(now, zone))
    context = {
        "first_name": person.first_name,
        "person": person,
        "sender_name": sender.get_full_name() or sender.email,
        "appointment": appointment,
        "promise": promise,
        "missed": appointment is not None and appointment.status == AppointmentStatus.MISSED_BY_US,
        "when": when_text(obligation.due, language, their_zone, zone) if obligation else "",
        "next_step_block": next_step_block(language, step.times, step.due_at, their_zone, zone),
    }
    subject, body = render(template or purpose, language, context)
    return _draft(
        key,
        purpose,
        person,
        sender,
        repair,
        appointment or (repair.lapse.appointment if repair else None),
        promise or (repair.lapse.promise if repair else None),
        subject,
        body,
        step,
    )


def _draft(key, purpose, person, sender, repair, appointment, promise, subject, body, step):
    """The draft in the outbox, to the person by the channel they prefer, in their language."""
    message, _new = enqueue(
        key,
        then=DRAFT,
        workspace_id=person.workspace_id,
        purpose=purpose,
        channel=preferred_channel(person),
        person=person,
        sender=sender,
        repair=repair,
        appointment=appointment,
        promise=promise,
        language=person.language,
        to_address=person.email,
        subject=subject,
        body=body,
        has_apology=purpose == Purpose.APOLOGY,
        next_step=step,
    )
    return message


def _other_dates(purpose, person, sender, zone, promise, declined, key, repair, now):
    """Other times after "none of these suit me": in their language, as they asked for them."""
    language = person.language
    their_zone = person.zone(zone)
    host = who_meets(promise, sender, now)
    duration = timedelta(minutes=declined.duration_minutes)
    times = (
        times_to_offer(
            host,
            duration,
            now,
            guest_zone=person.zone(None),
            guest=person,
            **after_their_answer(declined),
        )
        if host is not None
        else []
    )
    step = (
        NextStep(
            kind="times",
            times=times,
            host=host.pk,
            title=declined.title,
            place=declined.place,
            minutes=declined.duration_minutes,
        )
        if times
        else NextStep()
    )
    subject, body = render(
        "other_dates",
        language,
        {
            "first_name": person.first_name,
            "title": declined.title,
            "preference": declined.preference,
            "apology": purpose == Purpose.APOLOGY,
            "next_step_block": next_step_block(language, times, None, their_zone, zone),
            "sender_name": sender.get_full_name() or sender.email,
        },
    )
    return _draft(
        key,
        Purpose.APOLOGY if purpose == Purpose.APOLOGY else Purpose.NEW_DATES,
        person,
        sender,
        repair,
        declined.replaces,
        promise,
        subject,
        body,
        step,
    )
