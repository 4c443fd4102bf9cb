"""Patient nudges: a few warm steps at growing intervals, until they decide or answer."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.cadences.drafts import STEP_KEY, closing_draft, nudge_step_draft
from verbind.cadences.models import (
    DEFAULT_CAP,
    DEFAULT_INTERVALS,
    Nudge,
    NudgeState,
    NudgeStep,
    later,
)
from verbind.lib.refusals import Invalid, Refused
from verbind.messaging import outbox
from verbind.messaging.models import CANCELLABLE, State

# After the last step, how long they have to answer before the member is asked to decide.
DECIDE_AFTER_WEEKS = 2


class NudgeRefused(Refused):
    code = "nudge"


class NudgeInvalid(Invalid):
    code = "nudge"


@transaction.atomic
def start(
    member,
    person,
    about: str,
    *,
    intervals: list[int] | None = None,
    cap: int | None = None,
    at: datetime | None = None,
) -> Nudge:
    """Start waiting patiently for *person* to decide *about*; the first step comes later."""
    if Nudge.objects.filter(
        person=person, state__in=[NudgeState.WAITING, NudgeState.DECIDE]
    ).exists():
        raise NudgeRefused(
            _("%(name)s already has a decision waiting; one at a time keeps it light.")
            % {"name": person.name}
        )
    at = at or timezone.now()
    nudge = Nudge(
        workspace_id=person.workspace_id,
        owner=member,
        person=person,
        about=about,
        intervals=list(intervals or DEFAULT_INTERVALS),
        cap=cap or DEFAULT_CAP,
        started_at=at,
    )
    try:
        nudge.full_clean()
    except Exception as exc:  # a ValidationError: say it as one line
        messages = getattr(exc, "messages", [str(exc)])
        raise NudgeInvalid(" ".join(messages)) from None
    nudge.next_at = nudge.step_after(at, 0)
    nudge.save()
    return nudge


def step_message(nudge: Nudge):
    """The draft of the step that is due now (written once; returned again after that)."""
    number = nudge.steps_sent + 1
    step, _new = NudgeStep.objects.get_or_create(
        nudge=nudge, number=number, defaults={"workspace_id": nudge.workspace_id}
    )
    if step.message is None or step.message.state == State.CANCELLED:
        step.message = nudge_step_draft(nudge, number)
        step.save(update_fields=["message"])
    return step.message


def step_sent(message) -> bool:
    """A step's message went out: count it, and set the next step (or the decision).

    Called for every message sent: one that is no step is known by its key, without a query.
    """
    if not message.idempotency_key.startswith(STEP_KEY):
        return False
    with transaction.atomic():
        return _count_step(message)


def _count_step(message) -> bool:
    step = (
        NudgeStep.objects.filter(message=message, sent_at__isnull=True)
        .select_related("nudge")
        .first()
    )
    if step is None:
        return False
    sent_at = message.sent_at or timezone.now()
    NudgeStep.objects.filter(pk=step.pk).update(sent_at=sent_at)
    nudge = step.nudge
    if not nudge.is_active:
        return True
    nudge.steps_sent = max(nudge.steps_sent, step.number)
    if nudge.steps_sent >= nudge.cap:
        nudge.state, nudge.next_at = NudgeState.DECIDE, later(sent_at, weeks=DECIDE_AFTER_WEEKS)
    else:
        nudge.state, nudge.next_at = NudgeState.WAITING, nudge.step_after(sent_at, nudge.steps_sent)
    nudge.save(update_fields=["steps_sent", "state", "next_at"])
    return True


def answered(person_id: int, at: datetime, how: str) -> int:
    """They answered: every nudge waiting on them stops, and a step not yet sent is called back."""
    stopped = 0
    for nudge in Nudge.objects.filter(
        person_id=person_id, state__in=[NudgeState.WAITING, NudgeState.DECIDE], started_at__lte=at
    ):
        changed = Nudge.objects.filter(pk=nudge.pk, state=nudge.state).update(
            state=NudgeState.ANSWERED, answered_at=at, answered_how=how[:300], next_at=None
        )
        if changed:
            stopped += 1
            for step in nudge.steps.filter(sent_at__isnull=True, message__state__in=CANCELLABLE):
                outbox.cancel(step.message)
    return stopped


@transaction.atomic
def wait_longer(nudge: Nudge, at: datetime | None = None) -> Nudge:
    """Keep waiting: one more step, after a longer interval than the last."""
    if nudge.state != NudgeState.DECIDE:
        raise NudgeRefused(_("This nudge is not waiting for your decision."))
    at = at or timezone.now()
    weeks = list(nudge.intervals or DEFAULT_INTERVALS)
    longer = min(weeks[min(nudge.steps_sent, len(weeks) - 1)] * 2, 52)
    while len(weeks) <= nudge.steps_sent:
        weeks.append(weeks[-1])
    weeks = weeks[: nudge.steps_sent] + [longer]
    nudge.intervals, nudge.cap = weeks, nudge.steps_sent + 1
    nudge.state, nudge.next_at = NudgeState.WAITING, later(at, weeks=longer)
    nudge.save(update_fields=["intervals", "cap", "state", "next_at"])
    return nudge


@transaction.atomic
def close_kindly(nudge: Nudge, member, at: datetime | None = None):
    """Stop asking: the nudge ends, with a kind last word as a draft (door open, no pressure)."""
    if not nudge.is_active:
        raise NudgeRefused(_("This nudge has ended already."))
    changed = Nudge.objects.filter(pk=nudge.pk, state=nudge.state).update(
        state=NudgeState.CLOSED, closed_at=at or timezone.now(), next_at=None
    )
    if not changed:
        raise NudgeRefused(_("This nudge has ended already."))
    for step in nudge.steps.filter(sent_at__isnull=True, message__state__in=CANCELLABLE):
        outbox.cancel(step.message)
    nudge.state = NudgeState.CLOSED
    return closing_draft(nudge, member)


def claim_step(nudge: Nudge) -> bool:
    """The worker takes this step, once: compare-and-set on the state it saw."""
    return (
        Nudge.objects.filter(
            pk=nudge.pk,
            state=NudgeState.WAITING,
            steps_sent=nudge.steps_sent,
            next_at=nudge.next_at,
        ).update(next_at=None)
        == 1
    )


def send_step_by_itself(nudge: Nudge) -> bool:
    """The workspace allows it: the step's draft is handed to the outbox without the member."""
    due_at = nudge.next_at
    if not claim_step(nudge):
        return False
    message = step_message(nudge)
    NudgeStep.objects.filter(message=message).update(by_itself=True)
    if message.state == State.DRAFT:
        try:
            outbox.send(message, by=nudge.owner)
        except Refused:  # no address to send to: the draft waits for the member instead
            Nudge.objects.filter(pk=nudge.pk, next_at__isnull=True).update(next_at=due_at)
    return True
