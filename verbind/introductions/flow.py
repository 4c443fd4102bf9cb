"""An introduction from the first question to the thanks: double opt-in, B asked first.

B is asked first; only after B's yes is A asked (or, when A asked for it, the joint
introduction is written at once). Every message is a draft the member reads and sends
from the introduction's page: nothing reaches anyone unseen. A "no" or "not now" ends
it kindly, and the other side never hears who declined. The worker turns time into
the next step: one gentle reminder, then a decision on the agenda, and "did it help?"
weeks after the introduction.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from verbind.introductions import keys
from verbind.introductions.ledger import record
from verbind.introductions.models import (
    DECLINES,
    Answer,
    Direction,
    Help,
    Introduction,
    IntroEvent,
    IntroLink,
    IntroState,
    Question,
    Side,
    Waiting,
)
from verbind.lib.events import tell
from verbind.lib.refusals import Invalid, Refused
from verbind.lib.tokens import hash_token
from verbind.messaging.drafts import preferred_channel, render
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.messaging.outbox import OutboxRefused, cancel, send
from verbind.people.models import Direction as Towards
from verbind.people.models import Interaction, InteractionKind
from verbind.workspaces.models import Membership
from verbind.workspaces.permissions import Action, require

LINK_VALID_FOR = timedelta(days=14)
# Someone who declined an introduction this recently is not asked again unless the member
# confirms they know.
DECLINE_REMEMBERED = timedelta(days=183)


class IntroductionRefused(Refused):
    code = "introduction"


class IntroductionInvalid(Invalid):
    code = "introduction_invalid"


class RecentlyDeclined(Refused):
    code = "recently_declined"


def reminder_after() -> timedelta:
    return timedelta(days=settings.INTRODUCTION_REMINDER_DAYS)


def follow_up_after() -> timedelta:
    return timedelta(days=settings.INTRODUCTION_FOLLOW_UP_DAYS)


def link_url(raw: str) -> str:
    return f"{settings.SITE_URL}/i/{raw}/"


# ── starting one ─────────────────────────────────────────────────────────────


def last_decline(person, now=None):
    """The latest "no" or "not now" of *person* to an introduction within the remembered time."""
    now = now or timezone.now()
    links = IntroLink.objects.filter(
        workspace_id=person.workspace_id,
        question=Question.CONSENT,
        answer__in=DECLINES,
        answered_at__gte=now - DECLINE_REMEMBERED,
    ).select_related("introduction")
    for link in links.order_by("-answered_at"):
        if link.introduction.person(link.side).pk == person.pk:
            return link
    return None


def check_introduction(membership: Membership, a, b, why: str, confirm: bool = False) -> None:
    """Everything that makes an introduction wrong, refused with a sentence that says why."""
    for person in (a, b):
        if person is None or person.workspace_id != membership.workspace_id:
            raise IntroductionInvalid(_("Pick two people from your own network."))
    if a.pk == b.pk:
        raise IntroductionInvalid(
            _("%(name)s cannot be introduced to themselves: pick two different people.")
            % {"name": a.name}
        )
    if not why.strip():
        raise IntroductionInvalid(_("Say in a line why these two should meet."))
    if len(why) > 1000:
        raise IntroductionInvalid(_("Keep the reason short: at most 1,000 characters."))
    for person in (b, a):
        if not (person.email or person.phone):
            raise IntroductionInvalid(
                _("%(name)s has no e-mail address or phone number to ask them by.")
                % {"name": person.name}
            )
    running = Introduction.objects.filter(
        workspace_id=membership.workspace_id,
        state__in=[IntroState.ASKED_B, IntroState.B_AGREED, IntroState.ASKED_A],
    )
    if running.filter(a=a, b=b).exists() or running.filter(a=b, b=a).exists():
        raise IntroductionRefused(
            _("%(a)s and %(b)s are already being introduced.") % {"a": a.name, "b": b.name}
        )
    if not confirm:
        for person in (b, a):
            declined = last_decline(person)
            if declined is not None:
                raise RecentlyDeclined(
                    _(
                        "%(name)s declined an introduction on %(day)s. Ask again only if you "
                        "know they would welcome it: confirm to go ahead."
                    )
                    % {
                        "name": person.name,
                        "day": timezone.localtime(declined.answered_at).strftime("%d-%m-%Y"),
                    }
                )


@transaction.atomic
def introduce(
    membership: Membership, a, b, why: str, a_asked: bool = False, confirm: bool = False
) -> Introduction:
    """Start introducing A (who is helped) to B (who can help): a draft question to B."""
    require(membership, Action.INTRODUCE)
    why = why.strip()
    check_introduction(membership, a, b, why, confirm)
    intro = Introduction.objects.create(
        workspace_id=membership.workspace_id,
        member=membership.user,
        a=a,
        b=b,
        why=why,
        a_asked=a_asked,
    )
    _event(
        intro,
        IntroState.ASKED_B,
        gettext_noop("You asked %(b)s first whether they would meet %(a)s."),
    )
    _ask(intro, Side.B, keys.ASK_B)
    _wait(intro, Waiting.SEND_ASK_B)
    return intro


# ── messages ─────────────────────────────────────────────────────────────────


def _membership(intro: Introduction) -> Membership | None:
    return (
        Membership.objects.filter(workspace_id=intro.workspace_id, user_id=intro.member_id)
        .select_related("user")
        .first()
    )


def _sender_name(intro: Introduction) -> str:
    membership = _membership(intro)
    if membership is not None:
        return membership.display_name
    return intro.member.get_full_name() or intro.member.email


def _draft(
    intro: Introduction, role: str, person, template: str, context: dict, purpose=Purpose.FOLLOW_UP
):
    subject, body = render(
        template,
        person.language,
        {"first_name": person.first_name, "sender_name": _sender_name(intro), **context},
    )
    message, _new = enqueue(
        keys.message(intro.pk, role),
        then=DRAFT,
        workspace_id=intro.workspace_id,
        purpose=purpose,
        channel=preferred_channel(person),
        person=person,
        sender=intro.member,
        language=person.language,
        to_address=person.email,
        subject=subject,
        body=body,
    )
    return message


def _link(intro: Introduction, side: str, question: str) -> str:
    """A private link for *side* to answer *question* (the raw token is in the message only).

    A reminder carries a link of its own; the first one keeps working, and an answer on
    either answers both.
    """
    raw, hashed = IntroLink.new_token()
    IntroLink.objects.create(
        workspace_id=intro.workspace_id,
        introduction=intro,
        side=side,
        question=question,
        token_hash=hashed,
        expires_at=timezone.now() + LINK_VALID_FOR,
    )
    return link_url(raw)


def _ask(intro: Introduction, side: str, role: str) -> OutboxMessage:
    person, other = intro.person(side), intro.other(side)
    return _draft(
        intro,
        role,
        person,
        "intro_ask",
        {
            "side": side,
            "other_name": other.name,
            "other_org": other.organisation.name if other.organisation_id else "",
            "why": intro.why,
            "link": _link(intro, side, Question.CONSENT),
        },
    )


def _remind(intro: Introduction, side: str, role: str) -> OutboxMessage:
    person, other = intro.person(side), intro.other(side)
    return _draft(
        intro,
        role,
        person,
        "intro_reminder",
        {"other_name": other.name, "link": _link(intro, side, Question.CONSENT)},
    )


def _contact(person) -> str:
    return " · ".join(part for part in (person.email, person.phone) if part)


def _joint(intro: Introduction) -> None:
    a, b = intro.a, intro.b
    context = {
        "a_name": a.name,
        "b_name": b.name,
        "a_first": a.first_name,
        "b_first": b.first_name,
        "a_org": a.organisation.name if a.organisation_id else "",
        "b_org": b.organisation.name if b.organisation_id else "",
        "a_contact": _contact(a),
        "b_contact": _contact(b),
        "why": intro.why,
    }
    _draft(intro, keys.JOINT_A, a, "intro_joint", context)
    _draft(intro, keys.JOINT_B, b, "intro_joint", context)


def _follow_up(intro: Introduction) -> None:
    for side, role in ((Side.A, keys.FOLLOW_UP_A), (Side.B, keys.FOLLOW_UP_B)):
        other = intro.other(side)
        _draft(
            intro,
            role,
            intro.person(side),
            "intro_did_it_help",
            {"other_name": other.name, "link": _link(intro, side, Question.FOLLOW_UP)},
        )


def drafts(intro: Introduction):
    """The messages of this introduction that wait for the member to read and send them."""
    return OutboxMessage.objects.filter(
        workspace_id=intro.workspace_id,
        idempotency_key__startswith=keys.prefix(intro.pk),
        state=State.DRAFT,
    ).select_related("person")


def messages_of(intro: Introduction):
    return OutboxMessage.objects.filter(
        workspace_id=intro.workspace_id, idempotency_key__startswith=keys.prefix(intro.pk)
    ).select_related("person")


def send_drafts(membership: Membership, intro: Introduction) -> int:
    """The member read the drafts on the introduction's page and sends them."""
    require(membership, Action.CHANGE_INTRODUCTION, intro)
    waiting = list(drafts(intro))
    if not waiting:
        raise IntroductionRefused(_("There is nothing waiting to be sent for this introduction."))
    for message in waiting:
        send(message, by=membership.user)
    return len(waiting)


# ── what the member sees ─────────────────────────────────────────────────────


def _member_text(intro: Introduction, text: str, **values) -> str:
    membership = _membership(intro)
    with translation.override(membership.language if membership else "en"):
        return _(text) % {"a": intro.a.name, "b": intro.b.name, **values}


def _event(intro: Introduction, state: str, text: str, **values) -> None:
    IntroEvent.objects.create(
        workspace_id=intro.workspace_id,
        introduction=intro,
        state=state,
        text=_member_text(intro, text, **values),
    )


def _on_timeline(intro: Introduction, person, text: str, **values) -> None:
    Interaction.objects.create(
        workspace_id=intro.workspace_id,
        person=person,
        kind=InteractionKind.MESSAGE,
        direction=Towards.INBOUND,
        notes=_member_text(intro, text, **values),
    )


def _wait(intro: Introduction, waiting: str, **more) -> None:
    """What the member's agenda shows for it (nothing when *waiting* is empty)."""
    now = timezone.now()
    intro.waiting = waiting
    intro.agenda_at = now if waiting else None
    fields = {"waiting": waiting, "agenda_at": intro.agenda_at, **more}
    for name, value in more.items():
        setattr(intro, name, value)
    Introduction.objects.filter(pk=intro.pk).update(**fields)


def _move(intro: Introduction, old: list[str], new: str, **more) -> bool:
    """Compare-and-set of the state: True when this call moved it."""
    changed = Introduction.objects.filter(pk=intro.pk, state__in=old).update(state=new, **more)
    if changed:
        intro.state = new
        for name, value in more.items():
            setattr(intro, name, value)
    return bool(changed)


# ── the outbox handed one of its messages over ───────────────────────────────


def on_released(intro_id: int, role: str) -> None:
    intro = Introduction.objects.filter(pk=intro_id).select_related("a", "b").first()
    if intro is None:
        return
    now = timezone.now()
    if role in (keys.ASK_B, keys.ASK_A, keys.REMIND_B, keys.REMIND_A):
        side = Side.B if role.endswith("_b") else Side.A
        IntroLink.objects.filter(
            introduction=intro, side=side, question=Question.CONSENT, answered_at__isnull=True
        ).update(expires_at=now + LINK_VALID_FOR)
        stamp = {
            keys.ASK_B: "asked_b_at",
            keys.ASK_A: "asked_a_at",
            keys.REMIND_B: "reminded_b_at",
            keys.REMIND_A: "reminded_a_at",
        }[role]
        more = {stamp: now, "next_check_at": now + reminder_after()}
        if role == keys.ASK_A:
            _move(intro, [IntroState.B_AGREED], IntroState.ASKED_A)
            _event(
                intro,
                IntroState.ASKED_A,
                gettext_noop("You asked %(a)s whether they would meet %(b)s."),
            )
        elif role in (keys.REMIND_A, keys.REMIND_B):
            _event(
                intro,
                intro.state,
                gettext_noop("A gentle reminder went to %(name)s."),
                name=intro.person(side).name,
            )
        if intro.is_open:
            _wait(intro, "", **more)
    elif role in (keys.JOINT_A, keys.JOINT_B):
        if (
            drafts(intro)
            .filter(
                idempotency_key__in=[
                    keys.message(intro.pk, keys.JOINT_A),
                    keys.message(intro.pk, keys.JOINT_B),
                ]
            )
            .exists()
        ):
            return  # the other half is still a draft
        if _move(
            intro,
            [IntroState.ASKED_A, IntroState.B_AGREED],
            IntroState.INTRODUCED,
            introduced_at=now,
        ):
            _event(
                intro,
                IntroState.INTRODUCED,
                gettext_noop("You introduced %(a)s and %(b)s to each other."),
            )
            _wait(intro, "", next_check_at=now + follow_up_after())
    elif role in (keys.FOLLOW_UP_A, keys.FOLLOW_UP_B):
        IntroLink.objects.filter(
            introduction=intro, question=Question.FOLLOW_UP, answered_at__isnull=True
        ).update(expires_at=now + LINK_VALID_FOR)
        if not drafts(intro).exists():
            _event(intro, intro.state, gettext_noop("You asked %(a)s and %(b)s whether it helped."))
            _wait(intro, "", followed_up_at=now)
    elif role == keys.THANKS:
        _event(intro, intro.state, gettext_noop("You thanked %(b)s."))
        _wait(intro, "", thanked_at=now)
    elif role == keys.LET_DOWN and intro.waiting == Waiting.LET_DOWN:
        _wait(intro, "")


# ── answers on the private links ─────────────────────────────────────────────


class LinkRefused(Refused):
    code = "link"


def find_link(raw: str) -> IntroLink | None:
    if not raw or len(raw) > 100:
        return None
    return (
        IntroLink.objects.filter(token_hash=hash_token(raw))
        .select_related(
            "introduction__a", "introduction__b", "introduction__member", "introduction__workspace"
        )
        .first()
    )


@transaction.atomic
def answer(link: IntroLink, choice: str, note: str = "") -> str:
    """Their answer from the link; returns what happened: "recorded" or "after_end".

    Each link answers once. An answer after the introduction ended is thanked and
    recorded, and changes nothing else.
    """
    if choice not in link.choices:
        raise LinkRefused(_("Pick one of the answers."))
    if link.answered_at is not None:
        raise LinkRefused(_("You answered this already. Thank you!"))
    if link.expired:
        raise LinkRefused(_("This link has expired."))
    note = note.strip()[:1000]
    now = timezone.now()
    same_question = IntroLink.objects.filter(
        introduction_id=link.introduction_id, side=link.side, question=link.question
    )
    if same_question.filter(answered_at__isnull=False).exists() or not same_question.filter(
        answered_at__isnull=True
    ).update(answer=choice, note=note, answered_at=now):
        raise LinkRefused(_("You answered this already. Thank you!"))
    link.answer, link.note, link.answered_at = choice, note, now
    intro = Introduction.objects.select_related("a", "b", "member").get(pk=link.introduction_id)
    person = intro.person(link.side)
    said = _member_text(intro, Answer(choice).label) + (f" — “{note}”" if note else "")
    tell(
        intro.workspace_id,
        "introduction.answered",
        introduction_id=intro.pk,
        person_id=person.pk,
        member_id=intro.member_id,
        question=link.question,
        answer=choice,
    )
    if intro.is_closed:
        _on_timeline(
            intro,
            person,
            gettext_noop("Answered on the introduction link after it ended: %(said)s"),
            said=said,
        )
        _event(
            intro,
            intro.state,
            gettext_noop("%(name)s answered after it ended: %(said)s"),
            name=person.name,
            said=said,
        )
        return "after_end"
    if link.question == Question.CONSENT:
        _consent(intro, link.side, choice, said)
    else:
        _followed_up(intro, link.side, choice, said)
    return "recorded"


def _consent(intro: Introduction, side: str, choice: str, said: str) -> None:
    person = intro.person(side)
    _on_timeline(
        intro,
        person,
        gettext_noop("About meeting %(other)s: %(said)s"),
        other=intro.other(side).name,
        said=said,
    )
    if choice in DECLINES:
        _declined(intro, side, said)
        return
    if side == Side.B:
        if not _move(intro, [IntroState.ASKED_B], IntroState.B_AGREED):
            return
        _event(intro, IntroState.B_AGREED, gettext_noop("%(b)s said yes: %(said)s"), said=said)
        if intro.a_asked:  # A asked for this: their yes is given, the introduction can go
            _joint(intro)
            _wait(intro, Waiting.SEND_JOINT, next_check_at=None)
        else:
            _ask(intro, Side.A, keys.ASK_A)
            _wait(intro, Waiting.SEND_ASK_A, next_check_at=None)
    elif _move(intro, [IntroState.B_AGREED, IntroState.ASKED_A], IntroState.ASKED_A):
        _event(intro, IntroState.ASKED_A, gettext_noop("%(a)s said yes too: %(said)s"), said=said)
        _joint(intro)
        _wait(intro, Waiting.SEND_JOINT, next_check_at=None)


def _declined(intro: Introduction, side: str, said: str) -> None:
    """It ends kindly: the other side is never told who declined; the member gets a gentle draft."""
    if not _move(
        intro,
        [IntroState.ASKED_B, IntroState.B_AGREED, IntroState.ASKED_A],
        IntroState.DECLINED,
        declined_by=side,
        ended_at=timezone.now(),
    ):
        return
    _event(
        intro,
        IntroState.DECLINED,
        gettext_noop("%(name)s declined: %(said)s. The other side is not told."),
        name=intro.person(side).name,
        said=said,
    )
    for message in drafts(intro):
        cancel(message)  # an unsent question or reminder must not go out now
    other = intro.other(side)
    _draft(intro, keys.LET_DOWN, other, "intro_let_down", {})
    _wait(intro, Waiting.LET_DOWN, next_check_at=None)


def _followed_up(intro: Introduction, side: str, choice: str, said: str) -> None:
    person = intro.person(side)
    for someone in (intro.a, intro.b):  # on both their timelines, and the introduction's own
        _on_timeline(
            intro,
            someone,
            gettext_noop("Did the introduction of %(a)s to %(b)s help? %(name)s: %(said)s"),
            name=person.name,
            said=said,
        )
    _event(intro, intro.state, gettext_noop("%(name)s: %(said)s"), name=person.name, said=said)
    if choice == Answer.HELPED and side == Side.A:
        if _move(intro, [IntroState.INTRODUCED, IntroState.MET], IntroState.HELPED):
            _event(intro, IntroState.HELPED, gettext_noop("It helped %(a)s: time to thank %(b)s."))
            record(
                intro.workspace_id,
                intro.a,
                Direction.GAVE,
                Help.INTRODUCTION,
                member=intro.member,
                introduction=intro,
                note=intro.b.name,
            )
            record(
                intro.workspace_id,
                intro.b,
                Direction.GOT,
                Help.TIME,
                member=intro.member,
                introduction=intro,
                note=intro.a.name,
            )
            write_thanks(intro)
            _wait(intro, Waiting.THANK_B)
    elif choice in (Answer.MET, Answer.HELPED):
        _move(intro, [IntroState.INTRODUCED], IntroState.MET)
    elif choice == Answer.DIDNT_WORK:
        _move(
            intro,
            [IntroState.INTRODUCED, IntroState.MET],
            IntroState.ENDED,
            ended_at=timezone.now(),
        )


def write_thanks(intro: Introduction) -> OutboxMessage:
    """The warm note to B for the time given to A, as a draft."""
    return _draft(
        intro,
        keys.THANKS,
        intro.b,
        "intro_thanks",
        {"other_first": intro.a.first_name},
        purpose=Purpose.THANK_YOU,
    )


# ── the member's decisions ───────────────────────────────────────────────────


@transaction.atomic
def end(membership: Membership, intro: Introduction) -> None:
    """The member ends it (no answer, or no longer needed): unsent drafts are withdrawn."""
    require(membership, Action.CHANGE_INTRODUCTION, intro)
    if intro.is_closed:
        raise IntroductionRefused(_("This introduction has ended already."))
    if not _move(
        intro,
        [s for s in IntroState if s not in (IntroState.DECLINED, IntroState.ENDED)],
        IntroState.ENDED,
        ended_at=timezone.now(),
    ):
        raise IntroductionRefused(_("This introduction has ended already."))
    for message in drafts(intro):
        try:
            cancel(message)
        except OutboxRefused:
            pass  # sent meanwhile
    _event(intro, IntroState.ENDED, gettext_noop("You ended it."))
    _wait(intro, "", next_check_at=None)


@transaction.atomic
def keep_waiting(membership: Membership, intro: Introduction) -> None:
    """No answer yet, and the member gives them another week before deciding again."""
    require(membership, Action.CHANGE_INTRODUCTION, intro)
    if intro.waiting not in (Waiting.DECIDE_A, Waiting.DECIDE_B):
        raise IntroductionRefused(_("Nothing is waiting for your decision here."))
    _event(intro, intro.state, gettext_noop("You decided to wait a little longer."))
    _wait(intro, "", next_check_at=timezone.now() + reminder_after())


# ── the passage of time (the worker) ─────────────────────────────────────────


@transaction.atomic
def look_again(intro: Introduction, now) -> None:
    """Its time came: a reminder, a decision, or "did it help?"."""
    if intro.state in (IntroState.ASKED_B, IntroState.ASKED_A):
        side = Side.B if intro.state == IntroState.ASKED_B else Side.A
        links = IntroLink.objects.filter(introduction=intro, side=side, question=Question.CONSENT)
        if not links.exists() or links.filter(answered_at__isnull=False).exists():
            return
        reminded = intro.reminded_b_at if side == Side.B else intro.reminded_a_at
        if reminded is None:
            _remind(intro, side, keys.REMIND_B if side == Side.B else keys.REMIND_A)
            _wait(intro, Waiting.REMIND_B if side == Side.B else Waiting.REMIND_A)
        else:
            _wait(intro, Waiting.DECIDE_B if side == Side.B else Waiting.DECIDE_A)
    elif intro.state == IntroState.INTRODUCED and intro.followed_up_at is None:
        _follow_up(intro)
        _wait(intro, Waiting.ASK_FOLLOW_UP)
