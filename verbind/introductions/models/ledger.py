"""Who helped whom: gives and gets between the workspace (or one member) and a person,
and what people ask for and offer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.workspaces.scoping import WorkspaceOwned


class Direction(models.TextChoices):
    GAVE = "gave", _("We helped them")
    GOT = "got", _("They helped us")


class Help(models.TextChoices):
    INTRODUCTION = "introduction", _("an introduction")
    ADVICE = "advice", _("advice")
    REFERRAL = "referral", _("a referral")
    FAVOUR = "favour", _("a favour")
    TIME = "time", _("time")
    BUSINESS = "business", _("business brought")


class LedgerEntry(WorkspaceOwned):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="ledger")
    # The member who gave or got it; empty when it was the workspace as a whole.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    kind = models.CharField(_("what"), max_length=12, choices=Help.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    introduction = models.ForeignKey(
        "introductions.Introduction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger",
    )
    # For a referral they made: the person they brought.
    brought = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "occurred_at"])]


class Balance(WorkspaceOwned):
    """Gives and gets per person, kept up to date with each entry: the agenda reads this row,
    never sums the whole ledger."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="balance")
    gave = models.PositiveIntegerField(default=0)
    got = models.PositiveIntegerField(default=0)
    gap = models.IntegerField(default=0)  # got - gave: how much more they gave than they got
    referrals = models.PositiveIntegerField(default=0)  # people they brought to us
    # Whose agenda suggests giving back: the member who got the latest help.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_got_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["member", "gap"], name="balance_give_back"),
            models.Index(
                fields=["workspace", "referrals"],
                name="balance_ambassadors",
                condition=models.Q(referrals__gt=0),
            ),
        ]


class AskOfferKind(models.TextChoices):
    ASK = "ask", _("Looking for")
    OFFER = "offer", _("Can offer")


class AskOffer(WorkspaceOwned):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="asks")
    kind = models.CharField(_("kind"), max_length=5, choices=AskOfferKind.choices)
    text = models.CharField(_("in their words"), max_length=300)
    words = models.CharField(max_length=600, blank=True)  # the words that matter, for matching
    is_open = models.BooleanField(default=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "kind", "is_open"])]

    def __str__(self) -> str:
        return self.text


class MatchState(models.TextChoices):
    OPEN = "open", _("Suggested")
    INTRODUCED = "introduced", _("Introduced")
    DISMISSED = "dismissed", _("Not a match")


class Match(WorkspaceOwned):
    """Someone's offer fits someone else's ask: "introduce them?" on a member's agenda."""

    ask = models.ForeignKey(AskOffer, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(AskOffer, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared = models.CharField(max_length=300)  # the words they share, to say why
    state = models.CharField(max_length=10, choices=MatchState.choices, default=MatchState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ask", "offer"], name="one_match_per_pair"),
        ]
        indexes = [
            models.Index(
                fields=["member", "created_at"],
                name="match_open",
                condition=models.Q(state="open"),
            )
        ]
