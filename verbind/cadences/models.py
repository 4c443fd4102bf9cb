"""What keeping in touch remembers: cadences, patient nudges, events and the people met there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.workspaces.models import Workspace
from verbind.workspaces.scoping import WorkspaceOwned


def later(at, *, weeks: int = 0, days: int = 0):
    """*at* plus whole weeks or days on the calendar of the workspace's zone: a cadence set at
    10:00 stays at 10:00 across a change to or from summer time (23 or 25 hours that day)."""
    zone = timezone.get_default_timezone()
    local = at.astimezone(zone)
    moved = datetime.combine(local.date() + timedelta(weeks=weeks, days=days), local.time(), zone)
    return moved.astimezone(UTC)


DEFAULT_INTERVALS = [2, 4, 8]  # weeks between nudge steps: growing, never pushing
DEFAULT_CAP = 3


class CadenceSettings(models.Model):
    """Per workspace: may Verbind send a nudge step by itself? Off unless an owner says so."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="cadence_settings"
    )
    send_nudges_by_itself = models.BooleanField(
        _("send nudge steps by itself"),
        default=False,
        help_text=_("Off: every step waits as a draft until you send it."),
    )

    class Meta:
        verbose_name = _("keep-in-touch settings")
        verbose_name_plural = _("keep-in-touch settings")

    def __str__(self) -> str:
        return f"Keep-in-touch settings of {self.workspace}"

    @classmethod
    def of(cls, workspace) -> CadenceSettings:
        found, _created = cls.objects.get_or_create(workspace=workspace)
        return found


class Cadence(WorkspaceOwned):
    """Keep in touch every N weeks: with one person, or with everyone carrying a tag.

    A tag's cadence gives each of its people a row of their own (``group``), so the
    agenda asks one indexed question: whose ``due_at`` has come. Any touch moves
    ``last_touch_at`` and ``due_at`` (``touches.touch``).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="cadences"
    )
    tag = models.ForeignKey(
        "people.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="cadences"
    )
    group = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="people_rows"
    )
    every_weeks = models.PositiveSmallIntegerField(_("every (weeks)"))
    last_touch_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cadence")
        verbose_name_plural = _("cadences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, tag__isnull=False)
                | models.Q(person__isnull=False, tag__isnull=True),
                name="cadence_for_a_person_or_a_tag",
            ),
            # Each member keeps their own rhythm with a person (NULLs differ: tag rows pass).
            models.UniqueConstraint(fields=["owner", "person"], name="one_cadence_per_person"),
            models.UniqueConstraint(fields=["tag"], name="one_cadence_per_tag"),
        ]
        indexes = [
            models.Index(
                fields=["owner", "due_at"],
                name="cadence_due",
                condition=models.Q(person__isnull=False),
            ),
        ]

    def belongs_to(self, membership) -> bool:
        """Kept by this member (for ``workspaces.permissions``)."""
        return self.owner_id == membership.user_id

    def __str__(self) -> str:
        return f"Every {self.every_weeks} weeks: {self.person or self.tag}"

    @property
    def every(self) -> timedelta:
        return timedelta(weeks=self.every_weeks)

    def due_after(self, at):
        return later(at, weeks=self.every_weeks)

    def clean(self) -> None:
        super().clean()
        if not 1 <= (self.every_weeks or 0) <= 104:
            raise ValidationError({"every_weeks": _("Pick between 1 and 104 weeks.")})


class NudgeState(models.TextChoices):
    WAITING = "waiting", _("Waiting for their decision")
    DECIDE = "decide", _("Your decision: wait longer or close kindly")
    ANSWERED = "answered", _("They answered")
    CLOSED = "closed", _("Closed kindly")


class Nudge(WorkspaceOwned):
    """Patient follow-ups for a decision the other side has to make.

    Step *n* falls due ``intervals[n]`` weeks after the one before was sent (the first
    after the start). It stops by itself when they answer (``receivers``); after
    ``cap`` steps the member decides: wait longer, or close it kindly.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="nudges")
    about = models.CharField(_("the decision that waits"), max_length=300)
    intervals = models.JSONField(_("weeks between steps"), default=list)
    cap = models.PositiveSmallIntegerField(_("at most this many steps"), default=DEFAULT_CAP)
    state = models.CharField(max_length=10, choices=NudgeState.choices, default=NudgeState.WAITING)
    steps_sent = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    next_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_how = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nudge sequence")
        verbose_name_plural = _("nudge sequences")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_at", "id"],
                name="nudge_due",
                condition=models.Q(state__in=["waiting", "decide"]),
            ),
            models.Index(fields=["workspace", "owner", "state"]),
        ]

    def belongs_to(self, membership) -> bool:
        """Kept by this member (for ``workspaces.permissions``)."""
        return self.owner_id == membership.user_id

    def __str__(self) -> str:
        return f"Nudge {self.person}: {self.about}"

    def get_absolute_url(self) -> str:
        return reverse("nudge", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in (NudgeState.WAITING, NudgeState.DECIDE)

    def weeks_before(self, step: int) -> int:
        """Weeks before step *step* (0-based): the list's, and the last one for steps beyond it."""
        weeks = self.intervals or DEFAULT_INTERVALS
        return weeks[min(step, len(weeks) - 1)]

    def step_after(self, at, step: int):
        return later(at, weeks=self.weeks_before(step))

    def clean(self) -> None:
        super().clean()
        self.about = " ".join(self.about.split())
        if not self.about:
            raise ValidationError({"about": _("Say in a few words what they are deciding.")})
        if not self.intervals or any(
            not isinstance(w, int) or not 1 <= w <= 52 for w in self.intervals
        ):
            raise ValidationError({"intervals": _("Give the weeks between steps, each 1 to 52.")})
        if not 1 <= self.cap <= 10:
            raise ValidationError({"cap": _("Pick between 1 and 10 steps.")})


class NudgeStep(WorkspaceOwned):
    """One step of a nudge: its draft, and when it went out."""

    nudge = models.ForeignKey(Nudge, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    message = models.OneToOneField(
        "messaging.OutboxMessage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    by_itself = models.BooleanField(default=False)

    class Meta:
        ordering = ["nudge", "number"]
        constraints = [
            models.UniqueConstraint(fields=["nudge", "number"], name="one_row_per_nudge_step")
        ]


class Event(WorkspaceOwned):
    """A business club evening, a fair, a party: where people were met."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["workspace", "-held_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("event", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        self.name = " ".join(self.name.split())
        if not self.name:
            raise ValidationError({"name": _("An event needs a name.")})


class Met(WorkspaceOwned):
    """Someone met at an event, with the one line that recalls the conversation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="met")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="met_at")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    line = models.CharField(_("what you talked about"), max_length=500, blank=True)
    met_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person met")
        verbose_name_plural = _("people met")
        ordering = ["event", "met_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="met_once_per_event")
        ]
        indexes = [models.Index(fields=["owner", "met_at"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.event}"
