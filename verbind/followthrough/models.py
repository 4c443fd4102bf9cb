"""What the follow-through engine remembers: lapses, repairs, and what members did with the agenda."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.prepared import Prepared
from verbind.workspaces.models import Workspace
from verbind.workspaces.scoping import WorkspaceOwned


class RuleSettings(models.Model):
    """Per-workspace timing of the rules (the defaults are the design's)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="rule_settings"
    )
    promise_due_soon_hours = models.PositiveIntegerField(
        _("remind before a promise is due (hours)"), default=24
    )
    repair_deadline_hours = models.PositiveIntegerField(_("repair within (hours)"), default=24)
    new_dates_within_hours = models.PositiveIntegerField(
        _("offer new dates after they cancel, within (hours)"), default=48
    )
    thank_you_within_hours = models.PositiveIntegerField(
        _("thank after a first meeting, within (hours)"), default=48
    )
    upcoming_days = models.PositiveIntegerField(_("show what is coming for (days)"), default=7)

    class Meta:
        verbose_name = _("rule settings")
        verbose_name_plural = _("rule settings")

    def __str__(self) -> str:
        return f"Rules of {self.workspace}"

    @classmethod
    def of(cls, workspace: Workspace) -> RuleSettings:
        found = getattr(workspace, "_rule_settings_cache", None)
        if found is None:
            stored = RULE_SETTINGS.run(workspace=workspace.pk)
            found = stored[0] if stored else cls.objects.get_or_create(workspace=workspace)[0]
            workspace._rule_settings_cache = found
        return found

    @property
    def repair_deadline(self) -> timedelta:
        return timedelta(hours=self.repair_deadline_hours)


# Asked for every repair the worker opens (each with a workspace of its own): prepared once.
RULE_SETTINGS = Prepared(lambda v: RuleSettings.objects.filter(workspace_id=v.workspace)[:1])


class LapseKind(models.TextChoices):
    MISSED_BY_US = "missed_by_us", _("Meeting missed by us")
    CANCELLED_BY_US = "cancelled_by_us", _("Meeting cancelled by us")
    PROMISE_LATE = "promise_late", _("Promise not kept in time")
    PROMISE_BROKEN = "promise_broken", _("Promise broken")


class Lapse(WorkspaceOwned):
    """An obligation broken on our side. Written once, never changed: statistics read these."""

    kind = models.CharField(max_length=20, choices=LapseKind.choices)
    appointment = models.ForeignKey(
        "obligations.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lapses",
    )
    promise = models.ForeignKey(
        "obligations.Promise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lapses",
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="lapses")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("lapse")
        verbose_name_plural = _("lapses")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind"], name="one_lapse_per_appointment"
            ),
            # A promise moved to a new time can be late again: one lapse per due time.
            models.UniqueConstraint(
                fields=["promise", "kind", "occurred_at"], name="one_lapse_per_promise_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person}"

    @property
    def obligation(self):
        return self.appointment or self.promise


class RepairState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Repaired")


class ClosedBecause(models.TextChoices):
    SENT = "sent", _("Apology and next step sent")
    ANSWERED = "answered", _("They answered; outcome recorded")
    RELEASED = "released", _("Released by agreement")
    BOOKED = "booked", _("They picked a new time")
    UNDONE = "undone", _("Marked by mistake, and undone")


class Repair(WorkspaceOwned):
    """What we owe after a lapse: an apology with a concrete next step, within the deadline."""

    lapse = models.OneToOneField(Lapse, on_delete=models.CASCADE, related_name="repair")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="repairs")
    state = models.CharField(max_length=10, choices=RepairState.choices, default=RepairState.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the other side first heard from us after the lapse."),
    )
    apology_sent_at = models.DateTimeField(null=True, blank=True)
    next_step_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_because = models.CharField(max_length=10, choices=ClosedBecause.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_check_at = models.DateTimeField(null=True, blank=True)
    # The member whose lapse it was, when they were away and the repair went to their stand-in.
    delegated_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("repair")
        verbose_name_plural = _("repairs")
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="repair_to_check",
                condition=models.Q(state="open"),
            ),
            models.Index(fields=["workspace", "owner", "state"]),
            models.Index(fields=["workspace", "escalated_to", "state"]),
        ]

    def __str__(self) -> str:
        return f"Repair for {self.lapse}"

    @property
    def is_open(self) -> bool:
        return self.state == RepairState.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() >= self.deadline_at

    @property
    def time_to_repair(self) -> timedelta | None:
        return self.closed_at - self.opened_at if self.closed_at else None

    @property
    def silent_drop(self) -> bool:
        """The other side heard nothing from us before the deadline passed."""
        if self.first_contact_at is not None:
            return self.first_contact_at > self.deadline_at
        return timezone.now() >= self.deadline_at


class MarkKind(models.TextChoices):
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")


class AgendaMark(WorkspaceOwned):
    """A member's answer to an agenda item that has no state of its own: done, or snoozed."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=MarkKind.choices)
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "member", "key"], name="one_mark_per_item")
        ]


class TeamDigestSchedule(models.Model):
    """When an owner or manager next gets the team's week: Monday 08:00 in their zone. A new
    manager's first digest is the Monday after they became one, never at once."""

    membership = models.OneToOneField(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="team_digest"
    )
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Team digest for {self.membership} at {self.next_at:%Y-%m-%d %H:%M}"


class Delegation(WorkspaceOwned):
    """A member away for a while handed what falls in it to a colleague, and gets it back.

    Made from an absence (its backup, or the member's); each thing handed over is a
    ``Handed`` row, so what is still the delegate's at the end goes back to the member,
    with a summary of what happened to each.
    """

    absence = models.OneToOneField(
        "scheduling.Absence", on_delete=models.SET_NULL, null=True, related_name="delegation"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    handed_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["ends_at", "id"],
                name="delegation_to_return",
                condition=models.Q(returned_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.member} → {self.delegate} ({self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d})"
        )


class Handed(models.Model):
    """One thing handed over in a delegation: a meeting, a promise, a cadence or a nudge."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="handed")
    kind = models.CharField(max_length=20)  # appointment, promise, cadence, nudge
    object_id = models.BigIntegerField()
    label = models.CharField(max_length=300)  # what it was, as the member reads it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delegation", "kind", "object_id"], name="handed_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
