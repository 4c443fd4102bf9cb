"""Keeping in touch on the agenda: cadences due, nudge steps, decisions, and nice-to-meet-yous.

Each rule is one indexed query for one member (see followthrough.rules).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from verbind.cadences import drafts, nudges
from verbind.cadences.events import NICE_TO_MEET_DAYS
from verbind.cadences.models import Cadence, Met, Nudge, NudgeState, later
from verbind.followthrough.rules.base import LOOK_BACK, AgendaItem, Context, unshown
from verbind.lib.prepared import Prepared
from verbind.people.models import Direction, Interaction


def weeks_since(ctx: Context, moment) -> int:
    return max(int((ctx.at - moment).days // 7), 0)


def cadence_why(cadence, ctx: Context) -> str:
    names = {"name": cadence.person.name, "every": cadence.every_weeks}
    if cadence.last_touch_at is None:
        return (
            _("Keep in touch with %(name)s every %(every)s weeks: you have not been in touch yet.")
            % names
        )
    weeks = weeks_since(ctx, cadence.last_touch_at)
    return ngettext(
        "%(weeks)s week since you were last in touch with %(name)s (every %(every)s weeks).",
        "%(weeks)s weeks since you were last in touch with %(name)s (every %(every)s weeks).",
        weeks,
    ) % {**names, "weeks": weeks}


DUE = Prepared(
    lambda v: (
        Cadence.objects.filter(
            owner_id=v.member, workspace_id=v.workspace, person__isnull=False, due_at__lt=v.until
        )
        .select_related("person__organisation")
        .defer(*unshown())
    )
)
NUDGES = Prepared(
    lambda v: (
        Nudge.objects.filter(
            owner_id=v.member,
            workspace_id=v.workspace,
            state__in=[NudgeState.WAITING, NudgeState.DECIDE],
            next_at__lt=v.until,
        )
        .select_related("person__organisation")
        .defer(*unshown())
    )
)


def _met(v):
    heard_since = Interaction.objects.filter(
        person=OuterRef("person"), direction=Direction.OUTBOUND, occurred_at__gt=OuterRef("met_at")
    )
    return (
        Met.objects.filter(
            owner_id=v.member,
            workspace_id=v.workspace,
            met_at__gt=v.since,
            met_at__lte=v.at,
        )
        .exclude(Exists(heard_since))
        .select_related("person__organisation", "event")
        .defer(*unshown())
    )


MET = Prepared(_met)


def cadence_due(ctx: Context) -> list[AgendaItem]:
    """A cadence whose time has come (by the end of today): a warm word that picks up from
    the last conversation. Snoozed or done, it comes back at the next due time."""
    cadences = DUE.run(workspace=ctx.workspace.pk, member=ctx.member.pk, until=ctx.end_of_day)
    return [
        AgendaItem(
            key=f"cadence:{cadence.pk}:{cadence.due_at:%Y%m%d}",
            rule="cadence_due",
            why=cadence_why(cadence, ctx),
            due_by=cadence.due_at,
            urgency=ctx.urgency(cadence.due_at),
            person=cadence.person,
            purpose="keep_in_touch",
            actions=["draft", "done", "snooze"],
            drafter=lambda membership, item, key, cadence=cadence: drafts.cadence_draft(
                cadence, membership.user, key
            ),
        )
        for cadence in cadences
    ]


def nudges_due(ctx: Context) -> list[AgendaItem]:
    """The next patient step of a decision that waits, as a draft to send; or, once every step
    went out unanswered, the member's decision: wait longer, or close it kindly. One query."""
    rows = NUDGES.run(workspace=ctx.workspace.pk, member=ctx.member.pk, until=ctx.end_of_day)
    return [
        _step_item(ctx, nudge) if nudge.state == NudgeState.WAITING else _decide_item(ctx, nudge)
        for nudge in rows
    ]


def _step_item(ctx: Context, nudge) -> AgendaItem:
    number = nudge.steps_sent + 1
    return AgendaItem(
        key=f"nudge:{nudge.pk}:{number}",
        rule="nudge_step_due",
        why=_(
            "Step %(step)s of %(cap)s: a warm word to %(name)s, who is deciding about "
            "“%(about)s”. No pressure: ask how they are."
        )
        % {"step": number, "cap": nudge.cap, "name": nudge.person.name, "about": nudge.about},
        due_by=nudge.next_at,
        urgency=ctx.urgency(nudge.next_at),
        person=nudge.person,
        purpose="nudge",
        actions=["draft", "snooze"],
        drafter=lambda membership, item, key: nudges.step_message(nudge),
        url=nudge.get_absolute_url(),
    )


def _decide_item(ctx: Context, nudge) -> AgendaItem:
    return AgendaItem(
        key=f"nudge-decide:{nudge.pk}:{nudge.cap}",
        rule="nudge_decide",
        why=_(
            "%(name)s has not answered about “%(about)s” after %(cap)s steps: "
            "keep waiting a little longer, or close it kindly?"
        )
        % {"name": nudge.person.name, "about": nudge.about, "cap": nudge.cap},
        due_by=nudge.next_at,
        urgency=ctx.urgency(nudge.next_at),
        person=nudge.person,
        purpose="nudge_decide",
        actions=["snooze"],
        url=nudge.get_absolute_url(),
    )


def nice_to_meet(ctx: Context) -> list[AgendaItem]:
    """Someone met at an event hears "nice to meet you" within two days."""
    met = MET.run(**ctx.values, since=ctx.at - LOOK_BACK)
    items = []
    for row in met:
        due = later(row.met_at, days=NICE_TO_MEET_DAYS)
        items.append(
            AgendaItem(
                key=f"met:{row.pk}",
                rule="nice_to_meet",
                why=_("You met %(name)s at %(event)s: say it was nice to meet them.")
                % {"name": row.person.name, "event": row.event.name},
                due_by=due,
                urgency=ctx.urgency(due),
                person=row.person,
                purpose="nice_to_meet",
                actions=["draft", "done", "snooze"],
                drafter=lambda membership, item, key, row=row: drafts.nice_to_meet_draft(
                    row, membership.user, key
                ),
                url=row.event.get_absolute_url(),
            )
        )
    return items


RULES = [cadence_due, nudges_due, nice_to_meet]
