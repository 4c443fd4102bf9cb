"""Promises that come due soon."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from verbind.followthrough.rules.base import AgendaItem, Context
from verbind.obligations.models import Outcome, Promise


def promise_due_soon(ctx: Context) -> list[AgendaItem]:
    """An open promise falls due within the workspace's warning time (default 24 h)."""
    window = timedelta(hours=ctx.settings.promise_due_soon_hours)
    promises = Promise.objects.filter(
        workspace=ctx.workspace,
        owner=ctx.member,
        outcome=Outcome.OPEN,
        due_at__gt=ctx.at,
        due_at__lte=ctx.at + window,
    ).select_related("person")
    return [
        AgendaItem(
            key=f"promise:{promise.pk}",
            rule="promise_due_soon",
            why=_("You promised “%(what)s”.") % {"what": promise.what},
            due_by=promise.due_at,
            urgency=ctx.urgency(promise.due_at),
            person=promise.person,
            obligation=promise,
            purpose="follow_up",
            actions=["kept", "draft", "snooze", "release"],
        )
        for promise in promises
    ]
