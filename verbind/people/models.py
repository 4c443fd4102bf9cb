"""The people and organisations a workspace knows, and every touchpoint with them."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.phones import BadPhoneNumber, normalise_phone, pretty_phone
from verbind.workspaces.models import validate_time_zone
from verbind.workspaces.scoping import WorkspaceOwned


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    VIDEO = "video", _("Video call")
    LINKEDIN = "linkedin", _("LinkedIn")
    OTHER = "other", _("Other")


PHONE_ERRORS = {
    "unreadable": _("“%(number)s” does not look like a phone number."),
    "length": _("“%(number)s” has the wrong number of digits for a phone number."),
}


class Organisation(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        self.name = " ".join(self.name.split())
        if not self.name:
            raise ValidationError({"name": _("An organisation needs a name.")})


class Tag(WorkspaceOwned):
    """A group of people the member names ("club members", "prospects", "partners")."""

    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_tag_per_name")
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def named(cls, workspace, name: str) -> Tag:
        """The workspace's tag with this name (any case), made when it is new."""
        name = " ".join(name.split())[:60]
        if not name:
            raise ValidationError({"tag": _("A tag needs a name.")})
        found = cls.objects.in_workspace(workspace).filter(name__iexact=name).first()
        return found or cls.objects.create(workspace=workspace, name=name)


class Person(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    profile_url = models.URLField(
        _("profile"), max_length=300, blank=True, help_text=_("Their LinkedIn page or website.")
    )
    language = models.CharField(
        _("language for messages"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, default=Channel.EMAIL
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Where they live, if not in yours: offered times are shown in this zone."),
    )
    met_how = models.CharField(
        _("how you met"), max_length=300, blank=True, help_text=_("An event, an introduction…")
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="people")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "email"]),
        ]

    def zone(self, default):
        """Their own time zone where we know it, else *default* (the member's)."""
        if self.time_zone:
            try:
                return zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                pass
        return default

    @property
    def first_name(self) -> str:
        """How a warm message greets them: the first word of their name."""
        return self.name.split()[0] if self.name.strip() else ""

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        self.name = " ".join(self.name.split())
        if not self.name:
            raise ValidationError({"name": _("A person needs a name.")})
        if self.email:
            self.email = self.email.strip().lower()
        if self.phone:
            try:
                self.phone = normalise_phone(self.phone)
            except BadPhoneNumber as exc:
                reason = PHONE_ERRORS[exc.reason] % {"number": exc.raw}
                raise ValidationError({"phone": reason}) from None
        if self.organisation_id and self.organisation.workspace_id != self.workspace_id:
            raise ValidationError(
                {"organisation": _("That organisation is not in this workspace.")}
            )

    @property
    def phone_display(self) -> str:
        return pretty_phone(self.phone)

    @property
    def more_emails(self) -> list[ContactPoint]:
        """Their further e-mail addresses (the primary one is ``email``)."""
        return self._more(ContactKind.EMAIL, self.email)

    @property
    def more_phones(self) -> list[ContactPoint]:
        """Their further phone numbers (the primary one is ``phone``)."""
        return self._more(ContactKind.PHONE, self.phone)

    @property
    def emails(self) -> list[str]:
        """Every e-mail address, the primary first."""
        return [a for a in [self.email] if a] + [p.value for p in self.more_emails]

    @property
    def phones(self) -> list[str]:
        """Every phone number, the primary first."""
        return [a for a in [self.phone] if a] + [p.value for p in self.more_phones]

    def _more(self, kind: str, primary: str) -> list[ContactPoint]:
        # .all() so that a prefetch_related("contact_points") serves a list of many people.
        points = [p for p in self.contact_points.all() if p.kind == kind and p.value != primary]
        return sorted(points, key=lambda p: p.pk or 0)

    def add_contact_point(self, kind: str, value: str) -> ContactPoint | None:
        """Give them one more address or number; it becomes the primary if they had none.

        Returns the new contact point, or None when they had it already or it became the primary.
        """
        value = ContactPoint.normalise(kind, value)
        field = "email" if kind == ContactKind.EMAIL else "phone"
        if not value or getattr(self, field) == value:
            return None
        if not getattr(self, field):
            setattr(self, field, value)
            self.save(update_fields=[field])
            return None
        point, created = ContactPoint.objects.get_or_create(
            workspace_id=self.workspace_id, person=self, kind=kind, value=value
        )
        return point if created else None

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p[:1].isalpha()]
        if not parts:
            return "?"
        return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("App message")
    EVENT = "event", _("Met at an event")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("From us")
    INBOUND = "inbound", _("From them")
    MUTUAL = "mutual", _("Both ways")


class Interaction(WorkspaceOwned):
    """A logged touchpoint: one entry on a person's timeline."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.MUTUAL
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    notes = models.TextField(_("notes"), blank=True)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    KIND_CHOICES = InteractionKind.choices  # for templates

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        # In the order of the timeline, tie-break included: the last contact with each of the
        # agenda's people is one step into the index, without sorting their history.
        indexes = [models.Index(fields=["person", "-occurred_at", "-id"], name="interaction_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person}"

    def belongs_to(self, membership) -> bool:
        """The member who logged it (for ``workspaces.permissions``)."""
        return self.member_id == membership.user_id

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.person.workspace_id != self.workspace_id:
            raise ValidationError({"person": _("That person is not in this workspace.")})
        if not self.notes.strip():
            raise ValidationError(
                {"notes": _("Write a word about what was said or done, so the entry means something.")}
            )


class EntryChange(WorkspaceOwned):
    """A timeline entry edited or deleted: who did it, when, and what it said before."""

    class Action(models.TextChoices):
        EDITED = "edited", _("edited")
        DELETED = "deleted", _("deleted")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="entry_changes")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(help_text="the entry as it was: kind, direction, channel, when, notes")

    class Meta:
        verbose_name = _("change to a timeline entry")
        verbose_name_plural = _("changes to timeline entries")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class ContactPoint(WorkspaceOwned):
    """A further e-mail address or phone number of a person.

    The primary address and number stay on the person (``Person.email`` and ``phone``:
    messages, invites and the API read them); these are the others, so a second mobile
    or a private address is kept, found by search and matched by imports.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("address or number"), max_length=254)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["person", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="one_contact_point_per_value"
            )
        ]
        indexes = [models.Index(fields=["workspace", "kind", "value"])]

    def __str__(self) -> str:
        return self.value

    @property
    def display(self) -> str:
        return pretty_phone(self.value) if self.kind == ContactKind.PHONE else self.value

    @staticmethod
    def normalise(kind: str, value: str) -> str:
        """An address in lower case, a number as E.164, as on the person; raises ValidationError."""
        value = value.strip()
        if kind == ContactKind.EMAIL:
            value = value.lower()
            if value:
                validate_email(value)
            return value
        try:
            return normalise_phone(value)
        except BadPhoneNumber as exc:
            raise ValidationError(
                {"value": PHONE_ERRORS[exc.reason] % {"number": exc.raw}}
            ) from None

    def clean(self) -> None:
        super().clean()
        self.value = self.normalise(self.kind, self.value)
        if self.person_id and not self.workspace_id:  # a form that leaves the workspace out
            self.workspace_id = self.person.workspace_id
        if self.person_id and self.person.workspace_id != self.workspace_id:
            raise ValidationError({"person": _("That person is not in this workspace.")})


class Merge(WorkspaceOwned):
    """Two people made one. Keeps what is needed to undo it: the removed person and what moved."""

    kept = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    removed_id = models.BigIntegerField()
    removed = models.JSONField(help_text="the removed person's fields, as they were")
    kept_before = models.JSONField(help_text="the kept person's fields before the merge")
    moved = models.JSONField(
        help_text="{'app.Model.field': [ids]} of rows moved to the kept person"
    )
    added = models.JSONField(
        default=dict,
        help_text="{'app.Model': [ids]} of rows the merge made (the removed person's primary "
        "address kept as a further one of the kept person)",
    )
    dropped = models.JSONField(
        default=list,
        help_text="rows deleted because the kept person had them already (the same address, "
        "the same meeting), serialised as they were",
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")


# What add_interactions takes for each entry, in this order.
ENTRY_COLUMNS = (
    "workspace_id",
    "person_id",
    "member_id",
    "kind",
    "direction",
    "channel",
    "occurred_at",
    "notes",
)
ENTRIES_PER_INSERT = 500  # 4,000 values: well inside what SQLite and PostgreSQL take at once


def add_interactions(entries: list[tuple]) -> None:
    """Write many timeline entries at once: tuples of ENTRY_COLUMNS, *occurred_at* a datetime.

    The worker writes one for each sent message, 200 at a time. One plain INSERT of many
    rows costs a fifth of what ``bulk_create`` spends in Python building and preparing
    them on SQLite, and less on PostgreSQL too (one statement to parse, where
    ``executemany`` sends one per row; issue #13). Like ``bulk_create``, no signals.
    """
    adapt = connection.ops.adapt_datetimefield_value
    at = ENTRY_COLUMNS.index("occurred_at")
    row = f"({', '.join(['%s'] * len(ENTRY_COLUMNS))})"
    with connection.cursor() as cursor:
        for start in range(0, len(entries), ENTRIES_PER_INSERT):
            chunk = entries[start : start + ENTRIES_PER_INSERT]
            values = []
            for entry in chunk:
                values += (*entry[:at], adapt(entry[at]), *entry[at + 1 :])
            cursor.execute(
                f"INSERT INTO {Interaction._meta.db_table} ({', '.join(ENTRY_COLUMNS)}) "
                f"VALUES {', '.join([row] * len(chunk))}",
                values,
            )
