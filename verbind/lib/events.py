"""What happened, told once, for whoever listens (webhooks, today): a repair opened, a meeting
booked, a visitor at the desk.

A domain function calls ``tell`` inside its own transaction, so a listener that writes
(``verbind.hooks`` queues a delivery per endpoint) writes in the same transaction: the
event and what follows from it are kept together, or neither is.
"""

from __future__ import annotations

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

happened = Signal()  # workspace_id, event, data

# Every event, and what it means (docs/api.md lists them; Settings → Webhooks offers them).
EVENTS = {
    "repair.opened": _("an obligation was broken; its repair is open, due within its deadline"),
    "repair.overdue": _("a repair's deadline passed without the other side hearing from us"),
    "repair.closed": _("a repair was closed (answered, a next step agreed, released, undone)"),
    "appointment.booked": _("a meeting was booked on a private link"),
    "appointment.moved": _("a meeting was moved to another time"),
    "appointment.held": _("a meeting took place"),
    "appointment.missed_by_us": _("we missed a meeting"),
    "appointment.missed_by_them": _("they missed a meeting"),
    "appointment.cancelled_by_us": _("we cancelled a meeting"),
    "appointment.cancelled_by_them": _("they cancelled a meeting"),
    "promise.kept": _("a promise was kept"),
    "promise.broken": _("a promise was broken"),
    "promise.released": _("a promise was let go by agreement"),
    "visitor.checked_in": _("a visitor was checked in at the desk"),
    "introduction.answered": _("someone answered an introduction's question"),
}


def tell(workspace_id: int, event: str, **data) -> None:
    """*event* (one of EVENTS) happened in the workspace; *data* holds ids and times."""
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not an event of EVENTS")
    happened.send(None, workspace_id=workspace_id, event=event, data=data)
