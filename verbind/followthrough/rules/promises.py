"""Promises that come due soon."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from verbind.followthrough.rules.base import AgendaItem, Context, unshown
from verbind.lib.prepared import Prepared
from verbind.obligations.models import Outcome, Promise, PromiseKind
from verbind.scheduling.models import Proposal
from verbind.scheduling.proposals import PREFERENCES

SOON = Prepared(
    lambda v: (
        Promise.objects.filter(
            workspace_id=v.workspace,
            owner_id=v.member,
            outcome=Outcome.OPEN,
            due_at__gt=v.at,
            due_at__lte=v.until,
        )
        .select_related("person__organisation")
        .defer(*unshown())
    )
)
DECLINED = Prepared(
    lambda v: Proposal.objects.filter(owed_id__in=v.promises).select_related("person")
)


def promise_due_soon(ctx: Context) -> list[AgendaItem]:
    """An open promise falls due within the workspace's warning time (default 24 h)."""
    window = timedelta(hours=ctx.settings.promise_due_soon_hours)
    promises = SOON.run(**ctx.values, until=ctx.at + window)
    new_dates = [p.pk for p in promises if p.kind == PromiseKind.NEW_DATES]
    answers = (
        {proposal.owed_id: proposal for proposal in DECLINED.run(promises=new_dates)}
        if new_dates
        else {}
    )
    return [
        AgendaItem(
            key=f"promise:{promise.pk}",
            rule="promise_due_soon",
            why=_why(promise, answers.get(promise.pk)),
            due_by=promise.due_at,
            urgency=ctx.urgency(promise.due_at),
            person=promise.person,
            obligation=promise,
            purpose="new_dates" if promise.pk in answers else "follow_up",
            actions=["kept", "draft", "snooze", "release"],
        )
        for promise in promises
    ]


def _why(promise, declined) -> str:
    if declined is None:
        return _("You promised “%(what)s”.") % {"what": promise.what}
    said = " ".join(
        part
        for part in (
            _(PREFERENCES[declined.preference]) if declined.preference else "",
            f"“{declined.answer_note}”" if declined.answer_note else "",
        )
        if part
    )
    why = _("None of the times for “%(title)s” suited %(name)s: send other dates.") % {
        "title": declined.title,
        "name": declined.person.name if declined.person_id else "",
    }
    return f"{why} {said}".strip()
