"""Appointments and their lifecycle.

proposed → confirmed → held
    ↘ cancelled by us / cancelled by them / rescheduled (before it happens)
confirmed → missed by us / missed by them (once its time has come)

A failed appointment (missed or cancelled) stays failed on record; when new
dates are agreed it links to its successor instead of changing state.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from verbind.obligations.models.base import Obligation, Outcome, TransitionRefused
from verbind.workspaces.permissions import Action


class AppointmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    HELD = "held", _("Held")
    CANCELLED_BY_US = "cancelled_by_us", _("Cancelled by us")
    CANCELLED_BY_THEM = "cancelled_by_them", _("Cancelled by them")
    MISSED_BY_US = "missed_by_us", _("Missed by us")
    MISSED_BY_THEM = "missed_by_them", _("Missed by them")
    RESCHEDULED = "rescheduled", _("Rescheduled")


S = AppointmentStatus

# "rescheduled" is not in here: only reschedule(), which makes the successor, sets it.
ALLOWED = {
    S.PROPOSED: {S.CONFIRMED, S.CANCELLED_BY_US, S.CANCELLED_BY_THEM},
    S.CONFIRMED: {S.HELD, S.CANCELLED_BY_US, S.CANCELLED_BY_THEM, S.MISSED_BY_US, S.MISSED_BY_THEM},
}
OUTCOME = {
    S.PROPOSED: Outcome.OPEN,
    S.CONFIRMED: Outcome.OPEN,
    S.HELD: Outcome.KEPT,
    S.CANCELLED_BY_US: Outcome.BROKEN,
    S.MISSED_BY_US: Outcome.BROKEN,
    S.CANCELLED_BY_THEM: Outcome.RELEASED,
    S.MISSED_BY_THEM: Outcome.RELEASED,
    S.RESCHEDULED: Outcome.RELEASED,
}
# Only a meeting that has started can have been held or missed. Reception may
# already know that the host is away when the visitor arrives a little early.
NEEDS_START = {S.HELD, S.MISSED_BY_US, S.MISSED_BY_THEM}
EARLY = {S.MISSED_BY_US: timedelta(minutes=15)}
FAILED = {S.CANCELLED_BY_US, S.CANCELLED_BY_THEM, S.MISSED_BY_US, S.MISSED_BY_THEM}
UNDO_WINDOW = timedelta(minutes=10)


class Appointment(Obligation):
    DUE_FIELD = "starts_at"

    title = models.CharField(_("what"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    participants = models.ManyToManyField(
        "people.Person", verbose_name=_("also present"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default=S.CONFIRMED
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("moved to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    # The state before the last change, so a mistaken click can be undone for a short while.
    previous_status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, blank=True, editable=False
    )
    # Calendar invites (iTIP): a stable UID, and a SEQUENCE raised on every change
    # that matters to the other side's calendar (time, place, status).
    ical_uid = models.CharField(max_length=100, blank=True, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-starts_at"]),
            models.Index(fields=["workspace", "owner", "outcome", "starts_at"]),
            models.Index(fields=["workspace", "owner", "status", "closed_at"]),
            # The thank-you rule looks at the member's held meetings that ended lately.
            models.Index(fields=["workspace", "owner", "status", "ends_at"]),
            models.Index(
                fields=["closed_at", "id"],
                name="appointment_broken",
                condition=models.Q(outcome="broken"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.person}"

    @property
    def host(self):
        return self.owner

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.person_id]) + f"#appointment-{self.pk}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})

    def action_for(self, to: str) -> Action:
        """What moving it to *to* is in the role table: the desk may record how it went."""
        return Action.RECORD_MEETING if to in NEEDS_START else Action.CHANGE_OBLIGATION

    def allowed_next(self, now=None) -> list[str]:
        """The states it may move to now, in the order a person would look for them."""
        now = now or timezone.now()
        options = ALLOWED.get(self.status, set())
        return [s for s in S.values if s in options and self._time_has_come(s, now)]

    def _time_has_come(self, state: str, now) -> bool:
        return state not in NEEDS_START or now >= self.starts_at - EARLY.get(state, timedelta(0))

    def transition(self, to: str, *, by=None, now=None) -> None:
        now = now or timezone.now()
        if to not in S.values:
            raise TransitionRefused(
                str(_("“%(state)s” is not an appointment status.") % {"state": to})
            )
        if to not in ALLOWED.get(self.status, set()):
            raise TransitionRefused(
                str(
                    _("This appointment is “%(current)s”; it cannot become “%(target)s”.")
                    % {"current": self.get_status_display(), "target": S(to).label}
                )
            )
        if not self._time_has_come(to, now):
            when = formats.date_format(timezone.localtime(self.starts_at), "DATETIME_FORMAT")
            raise TransitionRefused(
                str(
                    _("It starts at %(when)s, so it cannot be “%(target)s” yet.")
                    % {"when": when, "target": S(to).label}
                )
            )
        self._move("status", self.status, to, OUTCOME[to], by, previous_status=self.status)

    def can_undo(self, by, now=None) -> bool:
        """A change that ended it (held, missed, cancelled) may be taken back by whoever made
        it, within UNDO_WINDOW, as long as nothing followed from it (a new time)."""
        now = now or timezone.now()
        return bool(
            self.previous_status
            and by is not None
            and self.changed_by_id == by.pk
            and self.closed_at is not None
            and now - self.closed_at <= UNDO_WINDOW
            and not self.successor_id
        )

    def undo(self, *, by, now=None) -> None:
        """Take back the last change: it was a mistaken click. The record keeps the lapse."""
        if not self.can_undo(by, now):
            raise TransitionRefused(str(_("This change can no longer be undone.")))
        back = self.previous_status
        self._move("status", self.status, back, OUTCOME[back], by, previous_status="")

    def reschedule_to(self, successor: Appointment, *, by=None) -> None:
        """A new time was agreed elsewhere (a picked proposal): this one moves to *successor*."""
        if self.status in FAILED:
            Appointment.objects.filter(pk=self.pk).update(successor=successor)
            self.successor = successor
        else:
            self._move(
                "status", self.status, S.RESCHEDULED, Outcome.RELEASED, by, successor=successor
            )

    @property
    def can_move(self) -> bool:
        """Whether a new time can still be agreed (templates ask this; ``reschedule`` enforces it)."""
        return not self.successor_id and self.status not in (S.HELD, S.RESCHEDULED)

    @transaction.atomic
    def reschedule(self, starts_at, ends_at=None, *, by=None) -> Appointment:
        """Agree a new time: the successor is a new confirmed appointment.

        One still to come becomes “rescheduled”; one that failed stays failed on
        record and links to its successor.
        """
        if self.successor_id:
            raise TransitionRefused(str(_("This appointment has already been moved.")))
        if self.status == S.HELD or self.status == S.RESCHEDULED:
            raise TransitionRefused(
                str(
                    _("This appointment is “%(current)s”; there is nothing to move.")
                    % {"current": self.get_status_display()}
                )
            )
        if starts_at <= timezone.now():
            raise TransitionRefused(str(_("Pick a new time in the future.")))
        successor = Appointment(
            workspace=self.workspace,
            owner=self.owner,
            person=self.person,
            title=self.title,
            place=self.place,
            starts_at=starts_at,
            ends_at=ends_at or starts_at + (self.ends_at - self.starts_at),
            status=S.CONFIRMED,
            notes=self.notes,
            changed_by=by,
        )
        successor.full_clean()
        successor.save()
        successor.participants.set(self.participants.all())
        if self.status in FAILED:
            self.successor = successor
            self.save(update_fields=["successor"])
        else:
            self._move(
                "status", self.status, S.RESCHEDULED, Outcome.RELEASED, by, successor=successor
            )
        return successor
