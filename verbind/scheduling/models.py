"""When members can meet, and the dates offered to a person to pick from a private link."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.schemafield import SchemaField
from verbind.lib.tokens import new_token
from verbind.scheduling.week import NINE_TO_FIVE, WorkingWeek
from verbind.workspaces.scoping import WorkspaceOwned


class Availability(models.Model):
    """A member's working week, in their own zone (the membership's time zone)."""

    membership = models.OneToOneField(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="availability"
    )
    # {"0": [["09:00", "17:00"]], …}: weekday (Monday = 0) to local from–to ranges.
    weekly_hours = SchemaField(schema=WorkingWeek, default=dict)
    buffer_minutes = models.PositiveIntegerField(_("buffer between meetings (minutes)"), default=15)
    notice_hours = models.PositiveIntegerField(_("minimum notice (hours)"), default=24)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")

    def __str__(self) -> str:
        return f"Availability of {self.membership}"

    @classmethod
    def of(cls, membership) -> Availability:
        found = cls.objects.filter(membership=membership).first()
        return found or cls(membership=membership, weekly_hours=NINE_TO_FIVE)


class ProposalState(models.TextChoices):
    OPEN = "open", _("Waiting for their choice")
    BOOKED = "booked", _("Booked")
    DECLINED = "declined", _("None suited them")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(WorkspaceOwned):
    """A few concrete times offered to one person, who picks one from a private link."""

    host = models.ForeignKey("workspaces.Membership", on_delete=models.CASCADE, related_name="+")
    co_host = models.ForeignKey(
        "workspaces.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A colleague who joins; the times offered suit both."),
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=200)
    place = models.CharField(max_length=300, blank=True)
    duration_minutes = models.PositiveIntegerField(default=60)
    replaces = models.ForeignKey(
        "obligations.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The appointment that failed or was cancelled, if this offers new dates for it."
        ),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(
        max_length=10, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    booked = models.ForeignKey(
        "obligations.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answer_note = models.TextField(blank=True)
    # "None of these suit me": what suits them better (see slots.PARTS_OF_DAY, or "later").
    preference = models.CharField(max_length=20, blank=True)
    # The promise to send other dates that their answer put on the host's agenda.
    owed = models.ForeignKey(
        "obligations.Promise", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # How often someone asked for new dates from this link after it closed (capped).
    asked_again = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return f"{self.title} — {self.person}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        return new_token()

    def belongs_to(self, membership) -> bool:
        """The host's offer, or the co-host's (for ``workspaces.permissions``)."""
        return membership.pk in (self.host_id, self.co_host_id)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.state == ProposalState.OPEN and not self.is_expired


class ProposedSlot(models.Model):
    """One offered time. While its proposal is open it counts as busy for other proposals."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} for {self.proposal}"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


class CalendarSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded .ics file")
    FEED = "feed", _("ICS feed (URL)")
    CALDAV = "caldav", _("CalDAV account")


class Calendar(models.Model):
    """A calendar of a member that tells when they are busy or away.

    An uploaded file is read once (upload it again to refresh it); a feed or a
    CalDAV calendar is read again by the worker every ``sync_minutes``.
    """

    membership = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="calendars"
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.UPLOAD
    )
    url = models.CharField(_("address (URL)"), max_length=500, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # Kept to read the calendar again; never shown or exported back.
    password = models.CharField(_("password"), max_length=500, blank=True)
    sync_minutes = models.PositiveIntegerField(_("read again every (minutes)"), default=30)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    absence_keywords = models.CharField(
        _("words that mark an absence"),
        max_length=300,
        blank=True,
        default="vakantie, vacation, vrij, out of office",
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Of the last good read: the events read, and those skipped (and why) as
    # [{"file", "line", "field", "reason", "read"}]; "read" is true for a note on an
    # event that was read all the same (an unknown time zone read as the member's).
    events_read = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(fields=["membership", "name"], name="one_calendar_per_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def skipped_events(self) -> list[dict]:
        return [item for item in self.skipped if not item.get("read")]

    @property
    def notes(self) -> list[dict]:
        return [item for item in self.skipped if item.get("read")]


class BusyBlock(models.Model):
    """One expanded busy time (or absence) from a calendar, stored so finding slots is a range query."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="blocks")
    membership = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    absence = models.BooleanField(default=False)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["membership", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.summary or 'busy'} {self.starts_at:%Y-%m-%d %H:%M}"


class Absence(WorkspaceOwned):
    """Time away entered by hand (a course, leave), with who stands in meanwhile."""

    membership = models.ForeignKey(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="absences"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    backup = models.ForeignKey(
        "workspaces.Membership",
        verbose_name=_("backup colleague"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["membership", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership} away {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"

    def clean(self) -> None:
        """An absence ends after it starts, and is not over already (web, API: the same rules)."""
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if self.ends_at and self.ends_at <= timezone.now():
            raise ValidationError({"ends_at": _("This absence is over already.")})
        if self.backup_id and self.backup_id == self.membership_id:
            raise ValidationError({"backup": _("Someone else must stand in for you.")})


class CalendarFeed(models.Model):
    """A member's private subscription address: their appointments and promise deadlines as .ics."""

    membership = models.OneToOneField(
        "workspaces.Membership", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Feed of {self.membership}"

    @classmethod
    def renew(cls, membership) -> str:
        """A new private address (the old one stops working); returns the raw token, shown once."""
        raw, hashed = new_token()
        cls.objects.update_or_create(
            membership=membership, defaults={"token_hash": hashed, "created_at": timezone.now()}
        )
        return raw
