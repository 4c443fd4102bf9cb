"""A visit at the front desk: who came, for whom, what the host answered, and how it ended.

Every desk action is also a ``VisitEvent`` with who did it, so the visit has a record."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.workspaces.models import Workspace
from verbind.workspaces.scoping import WorkspaceOwned


class Answer(models.TextChoices):
    COMING = "coming", _("I'm coming")
    FIVE_MINUTES = "five_minutes", _("5 minutes")
    CANNOT = "cannot", _("I can't — hand over")


class Visit(WorkspaceOwned):
    """Someone at the desk: for an appointment, or a walk-in."""

    appointment = models.OneToOneField(
        "obligations.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    # A walk-in who is not a contact is known only by what the desk wrote down here; the
    # worker forgets it after the workspace's retention period (DeskSettings).
    visitor_name = models.CharField(_("visitor"), max_length=200)
    visitor_phone = models.CharField(_("phone"), max_length=40, blank=True)
    visitor_email = models.EmailField(_("e-mail"), blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expected_at = models.DateTimeField(_("expected"))
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    host_told_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    backup_told_at = models.DateTimeField(null=True, blank=True)
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    failed_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expected_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "expected_at"]),
            models.Index(fields=["host", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_name} for {self.host} ({self.expected_at:%Y-%m-%d %H:%M})"

    @property
    def walk_in(self) -> bool:
        return self.appointment_id is None

    @property
    def waiting(self) -> bool:
        """At the desk, and neither received, handed over, failed nor gone."""
        return bool(
            self.checked_in_at
            and not self.checked_out_at
            and not self.failed_at
            and self.answer not in (Answer.COMING, Answer.FIVE_MINUTES)
            and not self.handed_to_id
        )

    def unanswered_for(self, now=None) -> timedelta | None:
        """How long the host has been told without answering (None when answered or not told)."""
        if not self.host_told_at or self.answer or not self.waiting:
            return None
        return (now or timezone.now()) - self.host_told_at


class VisitEvent(models.Model):
    """One thing that happened to a visit, and who did it."""

    class What(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        HOST_TOLD = "host_told", _("Host told")
        ANSWERED = "answered", _("Host answered")
        BACKUP_TOLD = "backup_told", _("Backup told: no answer in time")
        HANDED_OVER = "handed_over", _("Handed over")
        FAILED = "failed", _("Visit failed — our side")
        NOTE_SENT = "note_sent", _("Note to the visitor")
        CHECKED_OUT = "checked_out", _("Checked out")
        IGNORED = "ignored", _("Ignored")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(max_length=20, choices=What.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_what_display()} at {self.at:%Y-%m-%d %H:%M}"


class DeskSettings(models.Model):
    """How a workspace's desk works: how long a host may take to answer, what is kept."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="desk")
    answer_within = models.DurationField(_("a host answers within"), default=timedelta(minutes=5))
    keep_walk_ins = models.DurationField(
        _("keep walk-ins who are not contacts for"), default=timedelta(days=90)
    )

    def __str__(self) -> str:
        return f"Desk of {self.workspace}"

    @classmethod
    def of(cls, workspace) -> DeskSettings:
        found = cls.objects.filter(workspace=workspace).first()
        return found or cls(workspace=workspace)
