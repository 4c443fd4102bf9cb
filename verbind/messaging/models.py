"""The outbox: every message Verbind sends or drafts, written down before it goes anywhere."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.schemafield import SchemaField
from verbind.messaging.nextstep import NextStep
from verbind.workspaces.scoping import WorkspaceOwned


class Purpose(models.TextChoices):
    APOLOGY = "apology", _("Apology with a next step")
    NEW_DATES = "new_dates", _("New dates")
    OFFER = "offer", _("Times to pick from")
    THANK_YOU = "thank_you", _("Thank-you")
    FOLLOW_UP = "follow_up", _("Follow-up")
    DIGEST = "digest", _("Daily digest")
    ESCALATION = "escalation", _("Escalation")
    INVITE = "invite", _("Invitation")
    CANCELLATION = "cancellation", _("Cancellation")
    ABSENCE = "absence", _("Absence warning")
    VISITOR = "visitor", _("Visitor at the desk")
    WEBHOOK = "webhook", _("Webhook paused")
    NOTICE = "notice", _("Notice from Verbind")
    JOIN = "join", _("Invitation to join the workspace")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PHONE = "phone", _("Phone call")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    READY = "ready", _("Ready for you to send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# A message in one of these states can still be called back (outbox.cancel).
CANCELLABLE = (State.DRAFT, State.READY, State.QUEUED, State.FAILED)


class OutboxMessage(WorkspaceOwned):
    """One message. The worker claims a queued row with a lease before sending it."""

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # Who it is for: a relation (person) or, for digests and escalations, a member.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    repair = models.ForeignKey(
        "followthrough.Repair",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    appointment = models.ForeignKey(
        "obligations.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    promise = models.ForeignKey(
        "obligations.Promise", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=2, default="nl")
    to_address = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    # What the message commits to, so the repair knows when it is done.
    has_apology = models.BooleanField(default=False)
    next_step = SchemaField(schema=NextStep, default=dict, blank=True)
    # A calendar invite (iTIP, with its METHOD) sent along as text/calendar.
    calendar = models.TextField(blank=True)

    idempotency_key = models.CharField(max_length=120, unique=True)
    message_id = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When what follows from sending (timeline entry, repair) was recorded. Sending is
    # committed first (in a small group); these effects follow and are retried if a worker dies.
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_queued",
                condition=models.Q(state="queued"),
            ),
            models.Index(
                fields=["claimed_until"], name="outbox_sending", condition=models.Q(state="sending")
            ),
            models.Index(fields=["workspace", "state"]),
            models.Index(
                fields=["sent_at"],
                name="outbox_unrecorded",
                condition=models.Q(state="sent", recorded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} to {self.person or self.member} ({self.state})"

    @property
    def can_cancel(self) -> bool:
        return self.state in CANCELLABLE

    def readable_by(self, membership) -> bool:
        """An invitation carries a sign-up link: only who sent it may open it."""
        return self.purpose != Purpose.JOIN or self.sender_id == membership.user_id

    def belongs_to(self, membership) -> bool:
        """Sent in the member's name (or, for a digest, written to them)."""
        return (self.sender_id or self.member_id) == membership.user_id

    @property
    def waits_for_member(self) -> bool:
        """Ready for the member to send themself (a link, a call): they mark it sent."""
        return self.state == State.READY

    @property
    def editable_step(self) -> str:
        """The next step the member may still change in this draft: "times", "new_due" or ""."""
        step = self.next_step
        if step.proposal:  # times already on a private link are held there
            return ""
        return step.kind or ("times" if self.appointment_id else "new_due" if self.promise_id else "")

    @property
    def recipient_name(self) -> str:
        if self.person_id:
            return self.person.name
        if self.member_id:
            return self.member.get_full_name() or self.member.email
        return self.to_address


class MailOutage(models.Model):
    """A time the mail server could not be reached or took no mail: one row each.

    Not a workspace's: every workspace sends through the one server. While a row
    is open (``ended_at`` empty) messages wait in their place and the worker tries
    the server again at ``next_try_at``.
    """

    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    tries = models.PositiveIntegerField(default=1)
    next_try_at = models.DateTimeField()
    # When owners and managers were told it is over (a long outage only).
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mail server outage")
        verbose_name_plural = _("mail server outages")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["started_at"], name="outage_open", condition=models.Q(ended_at=None))
        ]

    def __str__(self) -> str:
        return f"mail server down since {self.started_at:%Y-%m-%d %H:%M} UTC"

    @property
    def duration(self):
        return (self.ended_at or timezone.now()) - self.started_at
