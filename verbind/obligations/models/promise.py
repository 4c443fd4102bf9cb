"""Promises: something owed to a person by a time (a call back, a proposal, a reply)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.obligations.models.base import Obligation, Outcome, TransitionRefused
from verbind.workspaces.permissions import Action


class PromiseKind(models.TextChoices):
    CALL_BACK = "call_back", _("Call back")
    SEND_PROPOSAL = "send_proposal", _("Send a proposal")
    REPLY = "reply", _("Reply")
    INTRODUCTION = "introduction", _("Make an introduction")
    NEW_DATES = "new_dates", _("Send new dates")
    OTHER = "other", _("Something else")


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    RELEASED = "released", _("Released by agreement")
    BROKEN = "broken", _("Broken")


P = PromiseStatus
OUTCOME = {
    P.OPEN: Outcome.OPEN,
    P.KEPT: Outcome.KEPT,
    P.RELEASED: Outcome.RELEASED,
    P.BROKEN: Outcome.BROKEN,
}


class Promise(Obligation):
    DUE_FIELD = "due_at"

    what = models.CharField(_("what"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PromiseKind.choices, default=PromiseKind.OTHER
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=PromiseStatus.choices, default=P.OPEN
    )

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["person", "due_at"]),
            models.Index(fields=["workspace", "owner", "outcome", "due_at"]),
            # The worker's look for promises that just became late.
            models.Index(
                fields=["due_at", "id"], name="promise_open_due", condition=models.Q(outcome="open")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.what} — {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.person_id]) + f"#promise-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == P.OPEN and self.due_at < timezone.now()

    def renew(self, due_at, *, by=None) -> None:
        """Agree a new time: an open promise moves; a broken one (it came too late) is made
        again for the new time — the next step of its repair. Kept or released ones stay."""
        if self.pk:
            self.refresh_from_db(fields=["status", "outcome"])  # the worker may have changed it
        if self.status not in (P.OPEN, P.BROKEN):
            raise TransitionRefused(
                str(
                    _("This promise is already “%(current)s”; it has no time to move.")
                    % {"current": self.get_status_display()}
                )
            )
        if due_at <= timezone.now():
            raise TransitionRefused(str(_("Pick a new time in the future.")))
        if self.status == P.BROKEN:
            self._move("status", P.BROKEN, P.OPEN, Outcome.OPEN, by, due_at=due_at)
            return
        Promise.objects.filter(pk=self.pk).update(due_at=due_at, changed_by=by)
        self.due_at = due_at

    promise_new_time = renew

    def action_for(self, to: str) -> Action:
        return Action.CHANGE_OBLIGATION

    def allowed_next(self, now=None) -> list[str]:
        if self.status == P.BROKEN:
            return [P.RELEASED]  # too late, and then let go by agreement
        return [P.KEPT, P.RELEASED, P.BROKEN] if self.status == P.OPEN else []

    def transition(self, to: str, *, by=None, now=None) -> None:
        if to not in P.values:
            raise TransitionRefused(str(_("“%(state)s” is not a promise status.") % {"state": to}))
        if to not in self.allowed_next():
            raise TransitionRefused(
                str(
                    _("This promise is already “%(current)s”; it cannot become “%(target)s”.")
                    % {"current": self.get_status_display(), "target": P(to).label}
                )
            )
        self._move("status", self.status, to, OUTCOME[to], by)
