"""A member's agenda: what is due, why, by when, for whom — with what they need to act.

The same function serves the Today page, ``verbind today``, the API and the
daily digest.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.utils import timezone

from verbind.followthrough.models import AgendaMark, MarkKind, RuleSettings
from verbind.followthrough.rules import RULES
from verbind.followthrough.rules.base import COMING, OVERDUE, TODAY, AgendaItem, Context
from verbind.lib.prepared import Prepared
from verbind.messaging.models import OutboxMessage, State
from verbind.obligations.models import Appointment, AppointmentStatus, Outcome, Promise
from verbind.people.models import Interaction, Person
from verbind.workspaces.models import Membership

PENDING = [State.DRAFT, State.READY, State.QUEUED, State.SENDING, State.FAILED]
SECTIONS = [(OVERDUE, "overdue"), (TODAY, "today"), (COMING, "coming")]


def context_for(membership: Membership, at: datetime | None = None) -> Context:
    return Context(
        workspace=membership.workspace,
        member=membership.user,
        # In UTC, so "24 hours" is 24 real hours: Python adds wall-clock time to aware
        # datetimes in another zone, and a day across a DST change is 23 or 25 hours.
        at=(at or timezone.now()).astimezone(UTC),
        zone=zoneinfo.ZoneInfo(membership.time_zone),
        settings=RuleSettings.of(membership.workspace),
    )


def agenda_for(membership: Membership, at: datetime | None = None) -> list[AgendaItem]:
    """Everything due for this member at *at* (default now), most pressing first."""
    ctx = context_for(membership, at)
    items: list[AgendaItem] = []
    for rule in RULES:
        items.extend(rule(ctx))
    items = _without_marked(ctx, items)
    items.sort(key=lambda item: item.sort_key)
    _add_context(items, ctx)
    return items


MARKED = Prepared(
    lambda v: (
        AgendaMark.objects.filter(workspace_id=v.workspace, member_id=v.member, key__in=v.keys)
        .filter(Q(kind=MarkKind.DONE) | Q(kind=MarkKind.SNOOZED, until__gt=v.at))
        .values_list("key")
    )
)


def _without_marked(ctx: Context, items: list[AgendaItem]) -> list[AgendaItem]:
    if not items:
        return items
    hidden = {key for (key,) in MARKED.run(**ctx.values, keys=[item.key for item in items])}
    return [item for item in items if item.key not in hidden]


def _last(v):
    latest = Interaction.objects.filter(person=OuterRef("pk"), occurred_at__lte=v.at).order_by(
        "-occurred_at", "-id"
    )
    ids = (
        Person.objects.filter(pk__in=v.people)
        .annotate(last_id=Subquery(latest.values("id")[:1]))
        .values("last_id")
    )
    return Interaction.objects.filter(pk__in=ids)


# The context the page shows beside each item, each one query for all the agenda's people.
LAST = Prepared(_last)
PROMISES = Prepared(
    lambda v: Promise.objects.filter(person_id__in=v.people, outcome=Outcome.OPEN).order_by(
        "due_at"
    )
)
MEETINGS = Prepared(
    lambda v: Appointment.objects.filter(
        person_id__in=v.people,
        status__in=[AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED],
        starts_at__gte=v.at,
    ).order_by("starts_at")
)
PENDING_MESSAGES = Prepared(
    lambda v: OutboxMessage.objects.filter(
        person_id__in=v.people, sender_id=v.member, state__in=PENDING
    ).order_by("-created_at")
)


def _add_context(items: list[AgendaItem], ctx: Context) -> None:
    """The last interaction and the other open obligations per person, a query each."""
    people = sorted({item.person.pk for item in items})
    if not people:
        return
    # The page names each person's organisation: the rules read it with the person, and
    # what a rule left out is read here in one query for all.
    prefetch_related_objects([item.person for item in items], "organisation")
    last = {i.person_id: i for i in LAST.run(people=people, at=ctx.at)}
    waiting: dict[int, OutboxMessage] = {}
    for message in PENDING_MESSAGES.run(people=people, member=ctx.member.pk):
        waiting.setdefault(message.person_id, message)
    open_by_person: dict[int, list] = {}
    for obligation in [*PROMISES.run(people=people), *MEETINGS.run(people=people, at=ctx.at)]:
        open_by_person.setdefault(obligation.person_id, []).append(obligation)
    for item in items:
        others = [o for o in open_by_person.get(item.person.pk, []) if o != item.obligation]
        item.context = {
            "last_interaction": last.get(item.person.pk),
            "other_open": others,
            "waiting_message": waiting.get(item.person.pk),
        }


def sections(items: list[AgendaItem]) -> list[tuple[str, list[AgendaItem]]]:
    return [(name, [i for i in items if i.urgency == level]) for level, name in SECTIONS]
