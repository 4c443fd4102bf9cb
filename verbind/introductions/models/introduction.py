"""An introduction of A (who is helped) to B (who can help), with consent from both sides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.lib.tokens import new_token
from verbind.workspaces.scoping import WorkspaceOwned


class IntroState(models.TextChoices):
    ASKED_B = "asked_b", _("Asked B")
    B_AGREED = "b_agreed", _("B agreed")
    ASKED_A = "asked_a", _("Asked A")
    INTRODUCED = "introduced", _("Introduced")
    MET = "met", _("Met")
    HELPED = "helped", _("Helped")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


# States in which the introduction is still going somewhere.
OPEN_STATES = [IntroState.ASKED_B, IntroState.B_AGREED, IntroState.ASKED_A]
CLOSED_STATES = [IntroState.DECLINED, IntroState.ENDED]


class Waiting(models.TextChoices):
    """What the introduction waits for from the member (shown on their agenda)."""

    NOTHING = "", _("Nothing")
    SEND_ASK_B = "send_ask_b", _("Send the question to B")
    REMIND_B = "remind_b", _("Send B a gentle reminder")
    DECIDE_B = "decide_b", _("B has not answered: decide")
    SEND_ASK_A = "send_ask_a", _("B said yes: ask A")
    REMIND_A = "remind_a", _("Send A a gentle reminder")
    DECIDE_A = "decide_a", _("A has not answered: decide")
    SEND_JOINT = "send_joint", _("Both said yes: send the introduction")
    LET_DOWN = "let_down", _("Let them down gently")
    ASK_FOLLOW_UP = "ask_follow_up", _("Ask whether it helped")
    THANK_B = "thank_b", _("Thank B")


class Side(models.TextChoices):
    A = "a", _("A (who is helped)")
    B = "b", _("B (who can help)")


class Question(models.TextChoices):
    CONSENT = "consent", _("Would you like to be introduced?")
    FOLLOW_UP = "follow_up", _("Did it help?")


class Answer(models.TextChoices):
    YES = "yes", _("Yes, gladly")
    NOT_NOW = "not_now", _("Not now")
    NO = "no", _("No, thank you")
    MET = "met", _("We met")
    HELPED = "helped", _("It helped")
    NOT_YET = "not_yet", _("Not yet")
    DIDNT_WORK = "didnt_work", _("It didn't work out")


ANSWERS = {
    Question.CONSENT: [Answer.YES, Answer.NOT_NOW, Answer.NO],
    Question.FOLLOW_UP: [Answer.MET, Answer.HELPED, Answer.NOT_YET, Answer.DIDNT_WORK],
}
DECLINES = [Answer.NO, Answer.NOT_NOW]


# What it waits for, with the names in place of A and B (the choices' labels keep the letters).
WAITING_SAID = {
    Waiting.SEND_ASK_B: _("Send the question to %(b)s"),
    Waiting.REMIND_B: _("Send %(b)s a gentle reminder"),
    Waiting.DECIDE_B: _("%(b)s has not answered: decide"),
    Waiting.SEND_ASK_A: _("%(b)s said yes: ask %(a)s"),
    Waiting.REMIND_A: _("Send %(a)s a gentle reminder"),
    Waiting.DECIDE_A: _("%(a)s has not answered: decide"),
    Waiting.SEND_JOINT: _("Both said yes: send the introduction"),
    Waiting.LET_DOWN: _("Let %(a)s down gently"),
    Waiting.ASK_FOLLOW_UP: _("Ask whether it helped"),
    Waiting.THANK_B: _("Thank %(b)s"),
}


class Introduction(WorkspaceOwned):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    a = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="helped_by_intro")
    b = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="helping_by_intro"
    )
    why = models.TextField(_("why you two should meet"), max_length=1000)
    a_asked = models.BooleanField(_("A asked for this"), default=False)
    state = models.CharField(max_length=12, choices=IntroState.choices, default=IntroState.ASKED_B)
    waiting = models.CharField(max_length=16, choices=Waiting.choices, blank=True, default="")
    # When the member's agenda shows what it waits for; null when it waits for nobody.
    agenda_at = models.DateTimeField(null=True, blank=True)
    # When the worker looks at it next (a reminder, the decision, "did it help?").
    next_check_at = models.DateTimeField(null=True, blank=True)
    asked_b_at = models.DateTimeField(null=True, blank=True)
    reminded_b_at = models.DateTimeField(null=True, blank=True)
    asked_a_at = models.DateTimeField(null=True, blank=True)
    reminded_a_at = models.DateTimeField(null=True, blank=True)
    introduced_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=1, choices=Side.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["member", "agenda_at"],
                name="intro_agenda",
                condition=~models.Q(waiting=""),
            ),
            models.Index(
                fields=["next_check_at", "id"],
                name="intro_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["workspace", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.a} → {self.b} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("introduction", args=[self.pk])

    @property
    def waiting_said(self) -> str:
        """What it waits for from the member, naming A and B."""
        said = WAITING_SAID.get(self.waiting)
        return str(said) % {"a": self.a.name, "b": self.b.name} if said else ""

    def belongs_to(self, membership) -> bool:
        """The member who made it (for ``workspaces.permissions``)."""
        return self.member_id == membership.user_id

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    def person(self, side: str):
        return self.a if side == Side.A else self.b

    def other(self, side: str):
        return self.b if side == Side.A else self.a


class IntroLink(WorkspaceOwned):
    """A private link for one side to answer one question; only a hash of its token is kept."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="links")
    side = models.CharField(max_length=1, choices=Side.choices)
    question = models.CharField(max_length=10, choices=Question.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answer = models.CharField(max_length=12, choices=Answer.choices, blank=True)
    note = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["introduction", "side", "question"])]

    @staticmethod
    def new_token() -> tuple[str, str]:
        return new_token()

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def answered_elsewhere(self) -> bool:
        """Answered on another link for the same question (the first one, or a reminder's)."""
        return IntroLink.objects.filter(
            introduction_id=self.introduction_id,
            side=self.side,
            question=self.question,
            answered_at__isnull=False,
        ).exists()

    @property
    def choices(self) -> list[Answer]:
        return ANSWERS[self.question]


class IntroEvent(WorkspaceOwned):
    """One step of an introduction, in the member's words: its own timeline."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=IntroState.choices, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]
