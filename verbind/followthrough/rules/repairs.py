"""Repairs: owed after a lapse on our side, and escalated when they are late."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from verbind.followthrough.models import Lapse, LapseKind, Repair, RepairState
from verbind.followthrough.rules.base import LOOK_BACK, OVERDUE, AgendaItem, Context, unshown
from verbind.lib.prepared import Prepared
from verbind.obligations.models import Outcome, Promise

REPAIR_ACTIONS = ["draft", "answered", "snooze", "release"]


def repair_key(obligation) -> str:
    return f"repair:{obligation._meta.model_name}:{obligation.pk}"


def repair_reason(repair: Repair) -> str:
    """Why a repair is owed, in one sentence (the agenda, the digest and escalations use it)."""
    lapse = repair.lapse
    if lapse.appointment_id:
        what = lapse.appointment.title
        if lapse.kind == LapseKind.CANCELLED_BY_US:
            return _("We cancelled “%(what)s”: apologise and offer new dates.") % {"what": what}
        return _("We missed “%(what)s”: apologise and offer new dates.") % {"what": what}
    return late_promise_reason(lapse.promise)


def late_promise_reason(promise) -> str:
    return _("The promise “%(what)s” was not kept: apologise and give a new time.") % {
        "what": promise.what
    }


def _item(ctx: Context, repair: Repair, rule: str, why: str) -> AgendaItem:
    obligation = repair.lapse.obligation
    return AgendaItem(
        key=repair_key(obligation),
        rule=rule,
        why=why,
        due_by=repair.deadline_at,
        urgency=ctx.urgency(repair.deadline_at),
        person=repair.person,
        obligation=obligation,
        repair=repair,
        purpose="apology",
        actions=REPAIR_ACTIONS,
    )


def _open_repairs():
    return (
        Repair.objects.filter(state=RepairState.OPEN)
        .select_related("person__organisation", "lapse__appointment", "lapse__promise", "owner")
        .defer(*unshown())
    )


MINE = Prepared(
    lambda v: _open_repairs().filter(
        workspace_id=v.workspace, owner_id=v.member, opened_at__lte=v.at
    )
)
LATE = Prepared(
    lambda v: (
        Promise.objects.filter(
            workspace_id=v.workspace, owner_id=v.member, outcome=Outcome.OPEN, due_at__lte=v.at
        )
        .exclude(
            Exists(Lapse.objects.filter(promise=OuterRef("pk"), occurred_at=OuterRef("due_at")))
        )
        .select_related("person__organisation")
        .defer(*unshown())
    )
)
STANDING_IN = Prepared(
    lambda v: (
        _open_repairs()
        .filter(workspace_id=v.workspace, escalated_to_id=v.member)
        .exclude(owner_id=v.member)
    )
)
STOOD_IN = Prepared(
    lambda v: (
        Repair.objects.filter(
            workspace_id=v.workspace, delegated_from_id=v.member, opened_at__gt=v.since
        )
        .select_related("person__organisation", "owner", "lapse__appointment", "lapse__promise")
        .defer(*unshown())
        .order_by("opened_at", "id")
    )
)


def repair_due(ctx: Context) -> list[AgendaItem]:
    """A lapse of ours is owed an apology with a concrete next step before the deadline.

    Also counts a promise that will be late at ``ctx.at`` but whose repair the
    worker has not opened yet, so ``verbind today --at`` shows what is coming.
    """
    items = [
        _item(ctx, repair, "repair_due", repair_reason(repair)) for repair in MINE.run(**ctx.values)
    ]
    for promise in LATE.run(**ctx.values):
        deadline = promise.due_at + ctx.settings.repair_deadline
        items.append(
            AgendaItem(
                key=repair_key(promise),
                rule="repair_due",
                why=late_promise_reason(promise),
                due_by=deadline,
                urgency=ctx.urgency(deadline),
                person=promise.person,
                obligation=promise,
                purpose="apology",
                actions=REPAIR_ACTIONS,
            )
        )
    return items


def repair_escalated(ctx: Context) -> list[AgendaItem]:
    """Someone else's repair went past its deadline and came to this member to step in."""
    items = []
    for repair in STANDING_IN.run(workspace=ctx.workspace.pk, member=ctx.member.pk):
        who = repair.owner.get_full_name() or repair.owner.email
        item = _item(
            ctx,
            repair,
            "repair_escalated",
            _("You stand in for %(who)s, whose repair is overdue: %(why)s")
            % {"who": who, "why": repair_reason(repair)},
        )
        item.key = "escalated:" + item.key
        item.urgency = OVERDUE
        items.append(item)
    return items


def repair_stood_in(ctx: Context) -> list[AgendaItem]:
    """A repair of this member's that a colleague took over while they were away: they see it
    (and how it went) until they mark it seen."""
    items = []
    for repair in STOOD_IN.run(
        workspace=ctx.workspace.pk, member=ctx.member.pk, since=ctx.at - LOOK_BACK
    ):
        who = repair.owner.get_full_name() or repair.owner.email
        state = _("done") if repair.state == RepairState.CLOSED else _("still open")
        items.append(
            AgendaItem(
                key=f"stood-in:{repair.pk}",
                rule="repair_stood_in",
                why=_("While you were away, %(who)s took over: %(why)s (%(state)s)")
                % {"who": who, "why": repair_reason(repair), "state": state},
                due_by=repair.deadline_at,
                urgency=ctx.urgency(repair.deadline_at, overdue_means_urgent=False),
                person=repair.person,
                obligation=repair.lapse.obligation,
                repair=repair,
                actions=["done"],
            )
        )
    return items
