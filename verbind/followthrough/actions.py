"""What a member can do with an agenda item: draft, done, snooze, release, record an answer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.followthrough.agenda import agenda_for, context_for
from verbind.followthrough.drafts import make_draft
from verbind.followthrough.models import AgendaMark, ClosedBecause, MarkKind
from verbind.followthrough.repairs import close, promise_late
from verbind.followthrough.rules.base import AgendaItem
from verbind.lib.refusals import Refused
from verbind.messaging import keys
from verbind.messaging.models import OutboxMessage, State
from verbind.obligations.models import Promise, PromiseStatus


class ActionRefused(Refused):
    code = "action"


def find_item(membership, key: str) -> AgendaItem | None:
    """The item with *key* on this member's agenda now; nothing outside it can be acted on."""
    return next((item for item in agenda_for(membership) if item.key == key), None)


def _require(item: AgendaItem, action: str) -> None:
    if action not in item.actions:
        raise ActionRefused(_("That cannot be done with this item."))


def _repair_of(item: AgendaItem):
    """The repair of the item, opening it first when the worker has not done so yet."""
    if item.repair is None:
        item.repair = promise_late(item.obligation)
    return item.repair


def draft(membership, item: AgendaItem):
    _require(item, "draft")
    repair = _repair_of(item) if item.key.startswith(("repair:", "escalated:")) else None
    key = keys.agenda_draft(item.key, membership.user_id)
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.state in (State.SENT, State.CANCELLED, State.FAILED):
        key = keys.fresh(key)
    if item.drafter is not None:  # a rule of an app above followthrough writes its own words
        return item.drafter(membership, item, key)
    return make_draft(
        item.purpose,
        item.person,
        membership.user,
        context_for(membership).zone,
        obligation=item.obligation,
        repair=repair,
        key=key,
        # Moving a meeting because we will be away is no "it didn't work out".
        template="move" if item.rule == "absence_guard" else "",
    )


@transaction.atomic
def answered(membership, item: AgendaItem, note: str) -> None:
    """They answered and the member records how it ended: the repair is closed."""
    _require(item, "answered")
    if not note.strip():
        raise ActionRefused(_("Write down what was agreed, so the team knows."))
    close(_repair_of(item), ClosedBecause.ANSWERED, note=note.strip())


@transaction.atomic
def release(membership, item: AgendaItem, note: str = "") -> None:
    """Both sides agreed to let it go."""
    _require(item, "release")
    obligation = item.obligation
    if isinstance(obligation, Promise) and PromiseStatus.RELEASED in obligation.allowed_next():
        obligation.transition(PromiseStatus.RELEASED, by=membership.user)
    if item.key.startswith(("repair:", "escalated:")):
        close(_repair_of(item), ClosedBecause.RELEASED, note=note.strip())


def kept(membership, item: AgendaItem) -> None:
    _require(item, "kept")
    item.obligation.transition(PromiseStatus.KEPT, by=membership.user)


def _mark(membership, item: AgendaItem, kind: str, until=None, reason: str = "") -> None:
    AgendaMark.objects.update_or_create(
        workspace=membership.workspace,
        member=membership.user,
        key=item.key,
        defaults={"kind": kind, "until": until, "reason": reason, "created_at": timezone.now()},
    )


def done(membership, item: AgendaItem) -> None:
    _require(item, "done")
    _mark(membership, item, MarkKind.DONE)


def snooze(membership, item: AgendaItem, until, reason: str) -> None:
    _require(item, "snooze")
    if until <= timezone.now():
        raise ActionRefused(_("Pick a moment in the future to be reminded again."))
    if not reason.strip():
        raise ActionRefused(_("Say why it can wait, so you remember later."))
    _mark(membership, item, MarkKind.SNOOZED, until=until, reason=reason.strip())
