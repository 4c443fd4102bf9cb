"""What appointments and promises have in common: an obligation toward a person.

Every obligation has an owner (a member), a counterpart (a person), a due moment
and an outcome. It starts open and ends kept, released (renegotiated with the
other side) or broken — never silently forgotten. Rules that look for what is
owed read the shared columns (``owner``, ``person``, ``outcome`` and the field
named by ``DUE_FIELD``), so they treat both kinds alike.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.events import EVENTS, tell
from verbind.lib.refusals import Refused
from verbind.workspaces.scoping import WorkspaceOwned

# Sent after an appointment or promise changed state (the follow-through engine
# listens: a meeting missed by us opens a repair at once).
obligation_changed = Signal()


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    RELEASED = "released", _("Released")
    BROKEN = "broken", _("Broken")


class TransitionRefused(Refused):
    """A change of state that the lifecycle does not allow; the message says why."""

    code = "transition"


class Obligation(WorkspaceOwned):
    DUE_FIELD = ""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("with"),
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def due(self):
        return getattr(self, self.DUE_FIELD)

    def belongs_to(self, membership) -> bool:
        """The member who owes it: the host of a meeting, whoever made the promise."""
        return self.owner_id == membership.user_id

    @property
    def is_open(self) -> bool:
        return self.outcome == Outcome.OPEN

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.person.workspace_id != self.workspace_id:
            raise ValidationError({"person": _("That person is not in this workspace.")})
        if (
            self.owner_id
            and not self.owner.memberships.filter(workspace_id=self.workspace_id).exists()
        ):
            raise ValidationError({"owner": _("The owner must be a member of this workspace.")})

    def _move(self, status_field: str, old: str, new: str, outcome: str, by, **extra) -> None:
        """Compare-and-set: change state only if nobody else changed it meanwhile."""
        now = timezone.now()
        values = {
            status_field: new,
            "outcome": outcome,
            "closed_at": None if outcome == Outcome.OPEN else now,
            "changed_by": by,
            **extra,
        }
        changed = type(self).objects.filter(pk=self.pk, **{status_field: old}).update(**values)
        if changed != 1:
            raise TransitionRefused(
                str(_("Someone else changed this in the meantime; reload and try again."))
            )
        for name, value in values.items():
            setattr(self, name, value)
        obligation_changed.send(type(self), obligation=self, old=old, new=new, by=by)
        kind = self._meta.model_name
        event = f"{kind}.moved" if new == "rescheduled" else f"{kind}.{new}"
        if event in EVENTS:
            tell(
                self.workspace_id,
                event,
                **{f"{kind}_id": self.pk},
                person_id=self.person_id,
                member_id=self.owner_id,
                was=old,
            )
