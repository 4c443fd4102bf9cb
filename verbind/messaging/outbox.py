"""Moving a message through the outbox: from draft to sent, never lost and never doubled.

States: draft → queued → sending → sent (the worker sends it: e-mail with SMTP)
        draft → ready → sent (the member sends it: WhatsApp, a call, or e-mail without SMTP)
A server that is down or defers the address puts it back to queued (see
``delivery.record_result``); only a permanent refusal (or a repeated unexpected
error) makes it failed, showing why, and ``retry`` puts a failed one back in line.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib.prepared import Prepared
from verbind.lib.refusals import Invalid, Refused
from verbind.messaging.channels import email
from verbind.messaging.drafts import next_step_block
from verbind.messaging.models import CANCELLABLE, Channel, OutboxMessage, Purpose, State
from verbind.messaging.nextstep import NextStep
from verbind.messaging.signals import message_released, message_sent, messages_sent
from verbind.people.models import Channel as PersonChannel
from verbind.people.models import Direction, InteractionKind, add_interactions


class OutboxRefused(Refused):
    code = "outbox"


class OutboxInvalid(Invalid):
    code = "next_step"


def revise(
    message: OutboxMessage,
    *,
    subject: str,
    body: str,
    channel: str,
    times=(),
    new_due=None,
    zone=None,
) -> OutboxMessage:
    """The member's edits to a draft; the next-step block follows the times they chose."""
    if message.state != State.DRAFT:
        raise OutboxRefused(_("This message has left the drafts; it can no longer be changed."))
    body = body.replace("\r\n", "\n")  # a browser's line ends; the stored blocks use \n
    home = zone
    if message.person is not None and zone is not None:
        zone = message.person.zone(zone)  # the times they read are in their own zone
    if message.next_step.proposal:  # its times are held on a link already
        message.subject, message.body, message.channel = subject, body, channel
        message.save(update_fields=["subject", "body", "channel"])
        return message
    old_block = _block_of(message, zone, home)
    new_step = NextStep.of(list(times), new_due)
    if new_step.kind == message.next_step.kind == "times":  # whose times, and what they book
        old = message.next_step
        new_step = new_step.model_copy(
            update={"host": old.host, "title": old.title, "place": old.place, "minutes": old.minutes}
        )
    if new_step != message.next_step:
        _check_step(message, new_step)
        new_block = next_step_block(message.language, list(times), new_due, zone, home)
        if old_block and old_block in body:
            body = body.replace(old_block, new_block)
        elif new_block:
            body = body.rstrip() + "\n\n" + new_block + "\n"
    message.subject, message.body, message.channel, message.next_step = (
        subject,
        body,
        channel,
        new_step,
    )
    message.save(update_fields=["subject", "body", "channel", "next_step"])
    return message


def _check_step(message: OutboxMessage, step: NextStep) -> None:
    """New times to offer, or a new promised time: only what the draft offers, in the future."""
    if step.kind and step.kind != message.editable_step:
        raise OutboxInvalid(
            _("This draft offers times to pick from; it has no promised time to change.")
            if message.editable_step == "times"
            else _("This draft has no times to pick from to change.")
        )
    now = timezone.now()
    if any(moment <= now for moment in [*step.times, step.due_at] if moment is not None):
        raise OutboxInvalid(_("Pick a moment in the future."))


def _block_of(message, zone, home=None) -> str:
    step = message.next_step
    return next_step_block(message.language, step.times, step.due_at, zone, home)


def send(message: OutboxMessage, by=None) -> str:
    """Hand the draft over: the worker sends e-mail when it can, else it waits for the member."""
    if message.channel == Channel.EMAIL and not message.to_address:
        raise OutboxRefused(
            _("%(name)s has no e-mail address; pick WhatsApp or a call.")
            % {"name": message.recipient_name}
        )
    if message.channel != Channel.EMAIL and not (message.person and message.person.phone):
        raise OutboxRefused(
            _("%(name)s has no phone number; send it by e-mail.") % {"name": message.recipient_name}
        )
    target = (
        State.QUEUED if message.channel == Channel.EMAIL and email.configured() else State.READY
    )
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(pk=message.pk, state=State.DRAFT).update(
            state=target, next_attempt_at=timezone.now(), sender=by or message.sender
        )
        if not changed:
            raise OutboxRefused(_("This message was already sent or cancelled."))
        message.state = target
        message_released.send(OutboxMessage, message=message, by=by or message.sender)
    return target


def mark_sent(message: OutboxMessage, by=None, at=None) -> None:
    """The member sent it themself (the link, a call): record it like the worker would."""
    at = at or timezone.now()
    with transaction.atomic():
        changed = OutboxMessage.objects.filter(
            pk=message.pk, state__in=[State.READY, State.DRAFT]
        ).update(state=State.SENT, sent_at=at)
        if not changed:
            raise OutboxRefused(_("This message was already sent or cancelled."))
        message.state, message.sent_at = State.SENT, at
        record_effects([message.pk])


def cancel(message: OutboxMessage) -> None:
    changed = OutboxMessage.objects.filter(pk=message.pk, state__in=CANCELLABLE).update(
        state=State.CANCELLED
    )
    if not changed:
        raise OutboxRefused(_("This message is being sent or was sent; it cannot be cancelled."))
    message.state = State.CANCELLED


def retry(message: OutboxMessage) -> None:
    """A failed e-mail goes back in line, with a fresh set of attempts (the member fixed the
    address, or the server's refusal has passed)."""
    if message.channel == Channel.EMAIL and not email.configured():
        raise OutboxRefused(_("Verbind has no mail server to send it with; send it yourself."))
    changed = OutboxMessage.objects.filter(pk=message.pk, state=State.FAILED).update(
        state=State.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_by=""
    )
    if not changed:
        raise OutboxRefused(_("Only a message that failed can be tried again."))
    message.state = State.QUEUED


KIND = {
    Channel.EMAIL: InteractionKind.EMAIL,
    Channel.WHATSAPP: InteractionKind.MESSAGE,
    Channel.PHONE: InteractionKind.CALL,
}
VIA = {
    Channel.EMAIL: PersonChannel.EMAIL,
    Channel.WHATSAPP: PersonChannel.WHATSAPP,
    Channel.PHONE: PersonChannel.PHONE,
}


def record_effects(ids: list[int], loaded: dict[int, OutboxMessage] | None = None) -> int:
    """What follows from sent messages: a timeline entry each, and progress on their repairs.

    Done once per message (``recorded_at``), in one transaction per group; a worker
    that died before this is made up for by the next worker pass. *loaded*: the
    messages as the worker sent them, so they need not be read again (their repairs
    are, since a repair may have moved while they were being sent).
    """
    loaded = loaded or {}
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(
            pk__in=ids, state=State.SENT, recorded_at__isnull=True
        )
        if connection.vendor == "postgresql":
            pending = pending.select_for_update(skip_locked=True)
        found = set(pending.values_list("pk", flat=True))
        todo = [loaded[pk] for pk in ids if pk in found and pk in loaded]
        repair = OutboxMessage.repair.field
        for message in todo:
            if repair.is_cached(message):
                repair.delete_cached_value(message)  # read fresh when used
        if len(todo) < len(found):
            known = {message.pk for message in todo}
            todo += list(
                OutboxMessage.objects.filter(pk__in=found - known).select_related("repair")
            )
        if not todo:
            return 0
        add_interactions(
            [_timeline_entry(m) for m in todo if m.person_id and m.purpose not in MEMBER_PURPOSES]
        )
        contacts = [m for m in todo if m.purpose not in MEMBER_PURPOSES]
        for message in contacts:  # a mail to a colleague is no contact
            message_sent.send(OutboxMessage, message=message)
        if contacts:
            messages_sent.send(OutboxMessage, messages=contacts)
        OutboxMessage.objects.filter(pk__in=[m.pk for m in todo]).update(recorded_at=timezone.now())
    return len(todo)


MEMBER_PURPOSES = (Purpose.DIGEST, Purpose.ESCALATION, Purpose.ABSENCE, Purpose.NOTICE)


def _timeline_entry(message: OutboxMessage) -> tuple:
    """The person's timeline entry for a sent message, in ``people.ENTRY_COLUMNS`` order."""
    return (
        message.workspace_id,
        message.person_id,
        message.sender_id,  # member_id
        KIND[message.channel],
        Direction.OUTBOUND,
        VIA[message.channel],
        message.sent_at,  # occurred_at
        f"{message.subject}\n\n{message.body}".strip(),  # notes
    )


# The outbox's views of itself, by what a member wants to see.
SHOWN = {
    "waiting": (State.DRAFT, State.READY, State.FAILED),  # waiting for the member
    "on_its_way": (State.QUEUED, State.SENDING),
    "sent": (State.SENT,),
    "cancelled": (State.CANCELLED,),
}


def listing(workspace, show: str = "", viewer=None):
    """The workspace's messages, newest first; *show* one of SHOWN's names, or all. An
    invitation (its sign-up link) is listed only to *viewer* when they sent it."""
    messages = OutboxMessage.objects.in_workspace(workspace).select_related(
        "person", "member", "sender"
    )
    if viewer is None:
        messages = messages.exclude(purpose=Purpose.JOIN)
    else:
        messages = messages.filter(~Q(purpose=Purpose.JOIN) | Q(sender_id=viewer.user_id))
    if show in SHOWN:
        messages = messages.filter(state__in=SHOWN[show])
    return messages.order_by("-created_at", "-id")


WAITING = Prepared(
    lambda v: OutboxMessage.objects.filter(
        workspace_id=v.workspace, sender_id=v.member, state__in=SHOWN["waiting"]
    )
    .order_by()
    .values("sender_id")  # one group: the member's
    .annotate(waiting=Count("pk"))
    .values_list("waiting")
)


def waiting_for(workspace, user) -> int:
    """How many of this member's messages wait for them: drafts, to send themself, failed.

    Asked by every page's navigation, so prepared once (lib.prepared)."""
    ((count,),) = WAITING.run(workspace=workspace.pk, member=user.pk) or [(0,)]
    return count
