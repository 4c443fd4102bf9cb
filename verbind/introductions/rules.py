"""The introductions' and the ledger's rules for the one agenda (registered in apps.py).

Each reads indexed rows only: introductions that wait for the member (``agenda_at``),
open match suggestions, and balances that lean far to one side (``Balance.gap``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from verbind.followthrough.rules.base import COMING, TODAY, AgendaItem, Context, unshown
from verbind.introductions.ledger import GIVE_BACK_GAP
from verbind.introductions.models import (
    AskOffer,
    AskOfferKind,
    Balance,
    Introduction,
    Match,
    MatchState,
    Waiting,
)
from verbind.lib.prepared import Prepared

MOST = 20  # suggestions per rule at once: a few to act on, not a list to wade through

# Whom the item is about (its person on the agenda).
ABOUT_A = {Waiting.SEND_ASK_A, Waiting.REMIND_A, Waiting.DECIDE_A}


def _why(waiting: str) -> str:
    # The sentences above, said here so makemessages finds each one.
    return {
        Waiting.SEND_ASK_B: _(
            "Your question to %(b)s about meeting %(a)s is ready: read it and send it."
        ),
        Waiting.REMIND_B: _(
            "%(b)s has not answered about meeting %(a)s in a week: a gentle reminder is ready."
        ),
        Waiting.DECIDE_B: _(
            "%(b)s did not answer about meeting %(a)s, even after a reminder: wait longer, or end it kindly."
        ),
        Waiting.SEND_ASK_A: _("%(b)s said yes to meeting %(a)s: your question to %(a)s is ready."),
        Waiting.REMIND_A: _(
            "%(a)s has not answered about meeting %(b)s in a week: a gentle reminder is ready."
        ),
        Waiting.DECIDE_A: _(
            "%(a)s did not answer about meeting %(b)s, even after a reminder: wait longer, or end it kindly."
        ),
        Waiting.SEND_JOINT: _("%(a)s and %(b)s both said yes: send the introduction."),
        Waiting.LET_DOWN: _(
            "The introduction of %(a)s and %(b)s will not happen now: a kind note is ready."
        ),
        Waiting.ASK_FOLLOW_UP: _(
            "Three weeks since you introduced %(a)s and %(b)s: ask them whether it helped."
        ),
        Waiting.THANK_B: _("Thank %(b)s for the time given to %(a)s: a warm note is ready."),
    }[waiting]


WAITING = Prepared(
    lambda v: (
        Introduction.objects.filter(
            workspace_id=v.workspace,
            member_id=v.member,
            agenda_at__isnull=False,
            agenda_at__lte=v.at,
        )
        .exclude(waiting="")
        .select_related("a__organisation", "b__organisation")
        .defer(*unshown("a"), *unshown("b"))
        .order_by("agenda_at")[:100]
    )
)
MATCHES = Prepared(
    lambda v: (
        Match.objects.filter(workspace_id=v.workspace, member_id=v.member, state=MatchState.OPEN)
        .select_related("ask__person__organisation", "offer__person")
        .defer(*unshown("ask__person"))
        .order_by("-created_at")[:MOST]
    )
)
LEANING = Prepared(
    lambda v: (
        Balance.objects.filter(workspace_id=v.workspace, member_id=v.member, gap__gte=GIVE_BACK_GAP)
        .select_related("person__organisation")
        .defer(*unshown())
        .order_by("-gap")[:MOST]
    )
)
OPEN_ASKS = Prepared(
    lambda v: AskOffer.objects.filter(
        person_id__in=v.people, kind=AskOfferKind.ASK, is_open=True
    ).order_by("-created_at")
)


def introduction_waiting(ctx: Context) -> list[AgendaItem]:
    """An introduction waits for the member: a draft to read and send, or a decision."""
    waiting = WAITING.run(**ctx.values)
    items = []
    for intro in waiting:
        if intro.waiting == Waiting.LET_DOWN:
            person = intro.other(intro.declined_by) if intro.declined_by else intro.a
        else:
            person = intro.a if intro.waiting in ABOUT_A else intro.b
        items.append(
            AgendaItem(
                key=f"introduction:{intro.pk}:{intro.waiting}",
                rule="introduction",
                why=_why(intro.waiting) % {"a": intro.a.name, "b": intro.b.name},
                # It waits from agenda_at on; shown as due now rather than by a past moment.
                due_by=max(intro.agenda_at, ctx.at),
                urgency=TODAY,
                person=person,
                purpose="introduction",
                actions=["done", "snooze"],
                link=intro.get_absolute_url(),
                link_text=_("Open the introduction"),
            )
        )
    return items


def match_suggested(ctx: Context) -> list[AgendaItem]:
    """Someone's offer fits someone else's ask: introduce them?"""
    matches = MATCHES.run(workspace=ctx.workspace.pk, member=ctx.member.pk)
    items = []
    for match in matches:
        asker, giver = match.ask.person, match.offer.person
        why = _("Introduce them? %(a)s is looking for “%(ask)s”; %(b)s can offer “%(offer)s”.") % {
            "a": asker.name,
            "ask": match.ask.text,
            "b": giver.name,
            "offer": match.offer.text,
        }
        query = urlencode({"a": asker.pk, "b": giver.pk, "match": match.pk})
        items.append(
            AgendaItem(
                key=f"match:{match.pk}",
                rule="match",
                why=why,
                due_by=max(match.created_at, ctx.at),
                urgency=COMING,
                person=asker,
                purpose="introduction",
                actions=["done", "snooze"],
                link=f"{reverse('introduction_new')}?{query}",
                link_text=_("Introduce them"),
            )
        )
    return items


def give_back(ctx: Context) -> list[AgendaItem]:
    """Someone gave much more than they got: how could you help them back?"""
    balances = LEANING.run(workspace=ctx.workspace.pk, member=ctx.member.pk)
    asks: dict[int, list[str]] = {}
    people = [b.person_id for b in balances]
    for ask in OPEN_ASKS.run(people=people) if people else []:
        asks.setdefault(ask.person_id, []).append(ask.text)
    items = []
    for balance in balances:
        person = balance.person
        why = _(
            "How could you help %(name)s back? They helped you %(got)d times; you helped them %(gave)d."
        ) % {
            "name": person.name,
            "got": balance.got,
            "gave": balance.gave,
        }
        open_asks = asks.get(person.pk, [])[:3]
        if open_asks:
            why += " " + _("Their open asks: %(asks)s") % {
                "asks": "; ".join(f"“{text}”" for text in open_asks)
            }
        items.append(
            AgendaItem(
                key=f"give_back:{person.pk}:{balance.got}",
                rule="give_back",
                why=why,
                due_by=max(balance.last_got_at or ctx.at, ctx.at),
                urgency=COMING,
                person=person,
                purpose="give_back",
                actions=["done", "snooze"],
                link=f"{person.get_absolute_url()}#ledger",
                link_text=_("See what they gave"),
            )
        )
    return items


RULES = [introduction_waiting, match_suggested, give_back]
