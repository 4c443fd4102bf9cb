"""The ledger of who helped whom: a give or a get in one click, a balance in words and over time.

``record`` is the one way an entry is made; it keeps the person's ``Balance`` row in step,
so the agenda's "how could you help them back?" reads one indexed row per person instead
of summing the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from verbind.introductions.models import Balance, Direction, Help, LedgerEntry
from verbind.lib.months import month_of, month_starts
from verbind.lib.refusals import Invalid

# Someone who gave this many more times than they got is owed a thought: how to give back.
GIVE_BACK_GAP = 2


class LedgerInvalid(Invalid):
    code = "ledger_invalid"


@transaction.atomic
def record(
    workspace_id: int,
    person,
    direction: str,
    kind: str,
    *,
    member=None,
    introduction=None,
    note: str = "",
    brought=None,
    at=None,
) -> LedgerEntry:
    if direction not in Direction.values:
        raise LedgerInvalid(_("Say who helped whom: we helped them, or they helped us."))
    if kind not in Help.values:
        raise LedgerInvalid(_("Pick what kind of help it was."))
    if person.workspace_id != workspace_id or (
        brought is not None and brought.workspace_id != workspace_id
    ):
        raise LedgerInvalid(_("Pick people from your own network."))
    if brought is not None and brought.pk == person.pk:
        raise LedgerInvalid(_("Someone cannot refer themselves."))
    at = at or timezone.now()
    entry = LedgerEntry.objects.create(
        workspace_id=workspace_id,
        person=person,
        member=member,
        direction=direction,
        kind=kind,
        note=note.strip()[:300],
        occurred_at=at,
        introduction=introduction,
        brought=brought if kind == Help.REFERRAL else None,
    )
    keep_balance(person, member if direction == Direction.GOT else None, at)
    return entry


def _counts(person) -> dict:
    return LedgerEntry.objects.filter(person=person).aggregate(
        gave=Count("id", filter=Q(direction=Direction.GAVE)),
        got=Count("id", filter=Q(direction=Direction.GOT)),
        referrals=Count("id", filter=Q(direction=Direction.GOT, kind=Help.REFERRAL)),
    )


def keep_balance(person, member=None, got_at=None) -> Balance:
    """The person's balance, counted again from their ledger (one indexed query).

    Counting rather than adding keeps it right after a merge moved entries between people.
    """
    counts = _counts(person)
    defaults = {
        **counts,
        "gap": counts["got"] - counts["gave"],
        "workspace_id": person.workspace_id,
    }
    if member is not None:
        defaults["member"] = member
    if got_at is not None:
        defaults["last_got_at"] = got_at
    balance, _new = Balance.objects.update_or_create(person=person, defaults=defaults)
    return balance


def balance_of(person) -> Balance:
    """The balance as the ledger says it now (counted, so a merge never leaves it stale)."""
    counts = _counts(person)
    return Balance(
        person=person,
        workspace_id=person.workspace_id,
        gap=counts["got"] - counts["gave"],
        **counts,
    )


def in_words(person, balance: Balance | None = None) -> str:
    """The balance as a person would say it."""
    balance = balance or balance_of(person)
    first = person.first_name
    if not balance.gave and not balance.got:
        return _("Nothing given or received yet between you and %(name)s.") % {"name": first}
    got = (
        ngettext("%(name)s helped you once", "%(name)s helped you %(count)d times", balance.got)
        % {
            "name": first,
            "count": balance.got,
        }
        if balance.got
        else _("%(name)s has not helped you yet") % {"name": first}
    )
    gave = (
        ngettext("you helped them once", "you helped them %(count)d times", balance.gave)
        % {"count": balance.gave}
        if balance.gave
        else _("you have not helped them yet")
    )
    if balance.gap >= GIVE_BACK_GAP:
        tail = _("They gave much more than they got: time to give something back.")
    elif balance.gap <= -GIVE_BACK_GAP:
        tail = _("You gave more than you got: a good relation to ask, when you need it.")
    elif balance.gap == 0:
        tail = _("About even.")
    else:
        return f"{got}; {gave}."
    return f"{got}; {gave}. {tail}"


def entries_of(person, limit: int = 50):
    return (
        LedgerEntry.objects.filter(person=person)
        .select_related("member", "brought", "introduction")
        .order_by("-occurred_at", "-id")[:limit]
    )


@dataclass
class LedgerMonth:
    first: date
    gave: int = 0
    got: int = 0


def chart(person, now=None, months: int = 12) -> dict:
    """Gives and gets per month over the last year (the person page draws it as bars)."""
    now = now or timezone.now()
    slots = {first: LedgerMonth(first) for first in month_starts(now, months)}
    since = datetime.combine(min(slots), time(0), timezone.get_current_timezone())
    for direction, at in LedgerEntry.objects.filter(
        person=person, occurred_at__gte=since
    ).values_list("direction", "occurred_at"):
        slot = slots.get(month_of(at))
        if slot is not None:
            if direction == Direction.GAVE:
                slot.gave += 1
            else:
                slot.got += 1
    found = list(slots.values())
    return {
        "months": found,
        "total_gave": sum(m.gave for m in found),
        "total_got": sum(m.got for m in found),
    }


def ambassadors(workspace, organisation=None):
    """People whose referrals brought others to us, most referrals first."""
    balances = Balance.objects.filter(workspace=workspace, referrals__gt=0).select_related(
        "person", "person__organisation"
    )
    if organisation is not None:
        balances = balances.filter(person__organisation=organisation)
    return balances.order_by("-referrals", "person__name")
