"""How followthrough hears of what happened below it: lapses, sent messages, booked meetings."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from verbind.followthrough.repairs import close_for_new_time, lapse_kind, open_repair, undo_repairs
from verbind.followthrough.repairs import record_message_sent as note_on_repair
from verbind.messaging.signals import message_sent
from verbind.obligations.models import (
    Appointment,
    Outcome,
    Promise,
    PromiseKind,
    PromiseStatus,
    obligation_changed,
)
from verbind.scheduling.signals import meeting_booked


@receiver(obligation_changed)
def open_repair_on_lapse(sender, obligation, old, new, by, **kwargs):
    """A lapse on our side opens its repair the moment it is recorded, not at the next pass."""
    kind = lapse_kind(obligation)
    if kind is not None:
        open_repair(obligation, kind)
    elif isinstance(obligation, Appointment) and obligation.outcome == Outcome.OPEN:
        undo_repairs(obligation)  # the lapse was a mistaken click, taken back


@receiver(message_sent)
def advance_obligations(sender, message, **kwargs):
    """A sent apology may complete a repair; a new promised time moves the promise."""
    if message.repair_id:
        note_on_repair(message)
    step = message.next_step
    if not message.promise_id:
        return
    promise = Promise.objects.get(pk=message.promise_id)
    if step.kind == "new_due" and promise.status in (PromiseStatus.OPEN, PromiseStatus.BROKEN):
        if step.due_at > timezone.now():
            promise.renew(step.due_at, by=message.sender)
    elif step.kind == "times" and promise.kind == PromiseKind.NEW_DATES and promise.is_open:
        promise.transition(PromiseStatus.KEPT, by=message.sender)  # the other dates went out


@receiver(meeting_booked)
def close_repair_of_the_replaced(sender, proposal, meeting, replaces, **kwargs):
    """They picked a new time for a meeting that failed on our side: its repair is done."""
    if replaces is not None:
        close_for_new_time(replaces)
