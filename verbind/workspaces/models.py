"""Workspaces, the people who use them (members) and their roles."""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.prepared import Prepared
from verbind.lib.tokens import hash_token


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value})


class Workspace(models.Model):
    """A networker, an organisation or a club using Verbind: everything else belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_language() -> str:
    return settings.LANGUAGE_CODE


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")
    RECEPTION = "reception", _("Reception")


class Membership(models.Model):
    """A user's place in a workspace: their role, and the zone they live in."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language of your e-mails"),
        max_length=2,
        choices=settings.LANGUAGES,
        default=default_language,
    )
    joined_at = models.DateTimeField(default=timezone.now)
    backup = models.ForeignKey(
        "self",
        verbose_name=_("backup"),
        help_text=_("Who takes over a repair this member leaves overdue."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("morning digest at"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_("The hour (in your own time zone) of your daily e-mail with what is due."),
    )
    wants_digest = models.BooleanField(
        _("send me the morning digest"),
        default=True,
        help_text=_("Escalations and warnings about your meetings come either way."),
    )
    next_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    mobile = models.CharField(
        _("mobile number"),
        max_length=40,
        blank=True,
        help_text=_("So the desk can put a visitor through to you when you cannot come down."),
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["workspace__name"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.workspace})"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email or self.user.username

    def digest_changed(self) -> None:
        """The hour or zone of the digest changed: the next one follows the new setting."""
        Membership.objects.filter(pk=self.pk).update(next_digest_at=None)
        self.next_digest_at = None

    def colleagues(self):
        """The other active members of this workspace (who can stand in, co-host, be a backup)."""
        return (
            Membership.objects.filter(workspace_id=self.workspace_id, user__is_active=True)
            .exclude(pk=self.pk)
            .select_related("user")
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


# The worker asks it for every repair it opens or escalates: prepared once (lib.prepared).
MEMBERSHIP = Prepared(
    lambda v: (
        Membership.objects.filter(workspace_id=v.workspace, user_id=v.user)
        .select_related("backup__user")
        .order_by("pk")[:1]
    )
)


def membership_of(workspace_id: int, user_id: int) -> Membership | None:
    """The user's membership of the workspace, with their backup; None when they have none."""
    found = MEMBERSHIP.run(workspace=workspace_id, user=user_id)
    return found[0] if found else None


class ApiTokenQuerySet(models.QuerySet):
    def find(self, raw: str) -> ApiToken | None:
        token = (
            self.select_related("membership__workspace", "membership__user")
            .filter(
                key_hash=hash_token(raw), revoked_at__isnull=True, membership__user__is_active=True
            )
            .first()
        )
        return token


class ApiToken(models.Model):
    """A key a script uses for the API. Only its hash is stored; the key is shown once."""

    PREFIX = "vb_"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, membership: Membership, name: str) -> tuple[ApiToken, str]:
        """Make a new token; returns it with the raw key, which is never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership, name=name, key_hash=hash_token(raw), hint=raw[:8]
        )
        return token, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class SignInFailures(models.Model):
    """Wrong passwords (or unknown API tokens) counted for one account or one address; the
    rule that turns them into a lock is in ``workspaces.throttle``."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")
        TOKEN = "token", _("API tokens from an address")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=254)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed sign-ins")
        verbose_name_plural = _("failed sign-ins")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_count_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Not used, not withdrawn, not expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """A colleague asked to join a workspace by e-mail: a sign-up link that works once, for a
    week. Only the link's hash is stored; the raw link goes out in the mail."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(
        _("language of the invitation"), max_length=2, choices=settings.LANGUAGES,
        default=default_language,
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}, {self.workspace})"
