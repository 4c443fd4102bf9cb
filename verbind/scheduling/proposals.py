"""Offering dates and booking the one they pick — atomically: of two people picking at once, one wins."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from verbind.lib.events import tell
from verbind.lib.prepared import Prepared
from verbind.lib.refusals import Invalid, Refused
from verbind.lib.tokens import hash_token
from verbind.messaging import keys
from verbind.messaging.drafts import next_step_block, preferred_channel, render
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.messaging.nextstep import NextStep
from verbind.messaging.outbox import OutboxRefused, mark_sent
from verbind.obligations.models import Appointment, AppointmentStatus, Promise, PromiseKind
from verbind.people.models import Direction, Interaction, InteractionKind
from verbind.scheduling.invites import REQUEST, send_invites
from verbind.scheduling.models import Proposal, ProposalState, ProposedSlot
from verbind.scheduling.signals import meeting_booked
from verbind.scheduling.slots import free_slots, meetings_of, times_to_offer
from verbind.workspaces.models import Membership

VALID_FOR = timedelta(days=14)
# What an offer may ask for, wherever it comes from (page, CLI, API).
MAX_TIMES = 10
LONGEST_WINDOW = timedelta(days=365)
SHORTEST, LONGEST = timedelta(minutes=5), timedelta(hours=8)


class OfferInvalid(Invalid):
    code = "offer_invalid"


def check_offer(count: int, within: timedelta, duration: timedelta) -> None:
    """The limits of an offer, checked once, here."""
    if not 1 <= count <= MAX_TIMES:
        raise OfferInvalid(_("Offer between 1 and %(most)d times.") % {"most": MAX_TIMES})
    if not timedelta(days=1) <= within <= LONGEST_WINDOW:
        raise OfferInvalid(_("Look at least a day and at most a year ahead."))
    if not SHORTEST <= duration <= LONGEST:
        raise OfferInvalid(_("A meeting lasts between 5 minutes and 8 hours."))


class BookingRefused(Refused):
    code = "booking"


def _link_reached_them(proposal: Proposal) -> None:
    """They answered on the link, so the message carrying it reached them: it counts as sent.

    (A member may copy a link into another app and forget to mark the message sent; it
    must not stay "ready" and offer times already answered.)
    """
    for message in OutboxMessage.objects.filter(
        next_step__proposal=proposal.pk, state__in=[State.READY, State.DRAFT]
    ):
        try:
            mark_sent(message)
        except OutboxRefused:
            pass  # sent meanwhile by the worker


def for_host(proposal: Proposal, text: str) -> str:
    """A timeline note in the host's language (the page around it speaks the relation's)."""
    with translation.override(proposal.host.language):
        return _(text)


def link(raw_token: str) -> str:
    return f"{settings.SITE_URL}/p/{raw_token}/"


@transaction.atomic
def propose(
    host: Membership,
    person,
    title: str,
    starts: list[datetime],
    duration: timedelta,
    place: str = "",
    replaces=None,
    co_host: Membership | None = None,
) -> tuple[Proposal, str]:
    """Offer *starts* to *person*; returns the proposal and its raw link token (shown once)."""
    if not starts:
        raise BookingRefused(_("There are no free times to offer in that window."))
    raw, hashed = Proposal.new_token()
    now = timezone.now()
    proposal = Proposal.objects.create(
        workspace=host.workspace,
        host=host,
        person=person,
        title=title,
        place=place,
        duration_minutes=int(duration.total_seconds() // 60),
        replaces=replaces,
        co_host=co_host,
        token_hash=hashed,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    ProposedSlot.objects.bulk_create(
        [ProposedSlot(proposal=proposal, starts_at=s, ends_at=s + duration) for s in starts]
    )
    return proposal, raw


def default_title(person) -> str:
    """What the meeting is called when the member gave no title: in the words they will read."""
    with translation.override(person.language):
        return _("Meeting with %(name)s") % {"name": person.name}


def offer(
    host: Membership,
    person,
    *,
    count: int = 3,
    within: timedelta = timedelta(days=14),
    duration: timedelta = timedelta(hours=1),
    title: str = "",
    place: str = "",
    co_host: Membership | None = None,
    replaces=None,
) -> tuple[Proposal, str]:
    """Find *count* free times for host (and co-host) and offer them; the CLI and API call this."""
    check_offer(count, within, duration)
    if co_host is not None and co_host.pk == host.pk:
        raise BookingRefused(_("The co-host must be another member."))
    if replaces is not None and replaces.person_id != person.pk:
        raise BookingRefused(_("The meeting it replaces is with someone else."))
    theirs = person.zone(None)  # a relation abroad is offered times in their daytime
    if theirs is not None and str(theirs) == str(host.zone):
        theirs = None
    starts = free_slots(
        host, duration, within, count, co_host=co_host, guest_zone=theirs, guest=person
    )
    return propose(
        host,
        person,
        title or (replaces.title if replaces else default_title(person)),
        starts,
        duration,
        place=place or (replaces.place if replaces else ""),
        replaces=replaces,
        co_host=co_host,
    )


@transaction.atomic
def offer_in_a_message(host: Membership, person, **options):
    """Offer free times and write the message that carries the link, as a draft to edit and send."""
    proposal, raw = offer(host, person, **options)
    starts = [slot.starts_at for slot in proposal.slots.all()]
    zone = person.zone(host.zone)
    subject, body = render(
        "offer",
        person.language,
        {
            "first_name": person.first_name,
            "proposal": proposal,
            "times_block": next_step_block(person.language, starts, None, zone, host.zone),
            "link": link(raw),
            "sender_name": host.user.get_full_name() or host.user.email,
        },
    )
    message, _new = enqueue(
        keys.offer(proposal.pk),
        then=DRAFT,
        workspace_id=host.workspace_id,
        purpose=Purpose.OFFER,
        channel=preferred_channel(person),
        person=person,
        sender=host.user,
        language=person.language,
        to_address=person.email,
        subject=subject,
        body=body,
        next_step=NextStep(kind="times", times=starts, proposal=proposal.pk, host=host.pk),
    )
    return message


@transaction.atomic
def withdraw(proposal: Proposal) -> None:
    """Take the offer back: its times are free again for others."""
    if not Proposal.objects.filter(pk=proposal.pk, state=ProposalState.OPEN).update(
        state=ProposalState.WITHDRAWN
    ):
        raise BookingRefused(_("This offer is no longer open."))
    proposal.state = ProposalState.WITHDRAWN


# The hash is unique: no ordering to build (first() would add one), one row or none.
# Prepared: every load of a private link asks it, and building it cost more than answering.
BY_TOKEN = Prepared(
    lambda v: Proposal.objects.select_related(
        "host__user", "host__workspace", "co_host__user", "person", "replaces"
    ).filter(token_hash=v.token_hash)[:1]
)


def find(raw_token: str) -> Proposal | None:
    if not raw_token or len(raw_token) > 100:
        return None
    found = BY_TOKEN.run(token_hash=hash_token(raw_token))
    return found[0] if found else None


@transaction.atomic
def book(proposal: Proposal, slot_id: int) -> Appointment:
    """Book the picked time: the proposal closes, the meeting is made, the old one links to it."""
    if connection.vendor == "postgresql":
        # One booking per host (and co-host) at a time, so two pickers cannot both take the
        # same hour; locked in a fixed order, so two bookings never wait on each other.
        hosts = [proposal.host_id] + ([proposal.co_host_id] if proposal.co_host_id else [])
        list(Membership.objects.select_for_update().filter(pk__in=hosts).order_by("pk"))
    slot = proposal.slots.filter(pk=slot_id).first()
    if slot is None:
        raise BookingRefused(_("That time is not part of this offer."))
    if slot.starts_at <= timezone.now():
        raise BookingRefused(_("That time has passed. Please pick another."))
    if not Proposal.objects.filter(
        pk=proposal.pk, state=ProposalState.OPEN, expires_at__gt=timezone.now()
    ).exists():
        raise BookingRefused(_("This offer is no longer open."))
    members = [proposal.host] + ([proposal.co_host] if proposal.co_host_id else [])
    clash = (
        Appointment.objects.filter(meetings_of(members))
        .filter(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
        .exists()
    )
    if clash:
        raise BookingRefused(_("Someone else just took that time. Please pick another."))
    meeting = Appointment.objects.create(
        workspace_id=proposal.workspace_id,
        owner=proposal.host.user,
        person=proposal.person,
        title=proposal.title,
        place=proposal.place,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        status=AppointmentStatus.CONFIRMED,
    )
    claimed = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.OPEN).update(
        state=ProposalState.BOOKED, booked=meeting
    )
    if not claimed:
        raise BookingRefused(_("This offer is no longer open."))
    old = proposal.replaces
    # A meeting held meanwhile stays held; the new one simply follows it.
    if old is not None and old.successor_id is None and old.status != AppointmentStatus.HELD:
        old.reschedule_to(meeting)
    meeting_booked.send(Proposal, proposal=proposal, meeting=meeting, replaces=old)
    tell(
        proposal.workspace_id,
        "appointment.booked",
        appointment_id=meeting.pk,
        person_id=meeting.person_id,
        member_id=meeting.owner_id,
        starts_at=meeting.starts_at.isoformat(),
        replaces_id=old.pk if old is not None else None,
    )
    Interaction.objects.create(
        workspace_id=proposal.workspace_id,
        person=proposal.person,
        kind=InteractionKind.MESSAGE,
        direction=Direction.INBOUND,
        notes=for_host(proposal, gettext_noop("Picked a new time from the link: %(title)s"))
        % {"title": proposal.title},
    )
    proposal.state, proposal.booked = ProposalState.BOOKED, meeting
    _link_reached_them(proposal)
    meeting.refresh_from_db()
    if meeting.invited_at is None:  # a moved meeting was sent as an update already
        send_invites(meeting, REQUEST)
    return meeting


# What "none of these suit me" may say about better times (in the host's words).
PREFERENCES = {
    "mornings": gettext_noop("Mornings suit them better."),
    "afternoons": gettext_noop("Afternoons suit them better."),
    "evenings": gettext_noop("Evenings suit them better."),
    "later": gettext_noop("A later week suits them better."),
}


@transaction.atomic
def decline(proposal: Proposal, note: str, prefer: str = "") -> None:
    """None of the times suit them: their answer goes to the timeline, new dates to the agenda."""
    prefer = prefer if prefer in PREFERENCES else ""
    if not prefer and not note.strip():
        with translation.override(proposal.person.language):
            raise OfferInvalid(
                _("Tell %(host)s what suits you better: pick a preference or write a short note.")
                % {"host": proposal.host.display_name}
            )
    changed = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.OPEN).update(
        state=ProposalState.DECLINED, answer_note=note[:2000], preference=prefer
    )
    if not changed:
        raise BookingRefused(_("This offer is no longer open."))
    proposal.state, proposal.answer_note, proposal.preference = (
        ProposalState.DECLINED,
        note[:2000],
        prefer,
    )
    _link_reached_them(proposal)
    with translation.override(proposal.host.language):  # the host reads it, not the relation
        said = " ".join(
            part
            for part in (
                _("None of the offered times suit them."),
                _(PREFERENCES[prefer]) if prefer in PREFERENCES else "",
                note[:2000],
            )
            if part
        )
        _owe_new_dates(proposal, said)


def refresh_slots(proposal: Proposal) -> list[ProposedSlot]:
    """After a clash: drop the times someone else took, and offer fresh ones in their place."""
    members = [proposal.host] + ([proposal.co_host] if proposal.co_host_id else [])
    slots = list(proposal.slots.all())
    gone = [
        slot
        for slot in slots
        if Appointment.objects.filter(meetings_of(members))
        .filter(starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)
        .exists()
    ]
    if gone:
        ProposedSlot.objects.filter(pk__in=[slot.pk for slot in gone]).delete()
        duration = timedelta(minutes=proposal.duration_minutes)
        kept = {slot.starts_at for slot in slots if slot not in gone}
        fresh = [
            start
            for start in times_to_offer(
                proposal.host,
                duration,
                count=len(slots),
                co_host=proposal.co_host,
                guest_zone=proposal.person.zone(None),
                guest=proposal.person,
            )
            if start not in kept
        ][: len(gone)]
        ProposedSlot.objects.bulk_create(
            [ProposedSlot(proposal=proposal, starts_at=s, ends_at=s + duration) for s in fresh]
        )
    return list(proposal.slots.all())


# A closed link takes a request for new dates only while none is open, and this many in all.
MOST_REQUESTS_PER_LINK = 3


class TooManyRequests(Refused):
    code = "too_many_requests"


@transaction.atomic
def ask_again(proposal: Proposal, note: str = "") -> bool:
    """From an expired or used link: they want new dates. It becomes a promise on the host's agenda.

    One request at a time: while the host still owes new dates, asking again adds nothing
    (False). A link takes at most MOST_REQUESTS_PER_LINK requests, so a link passed around
    cannot fill a timeline.
    """
    _link_reached_them(proposal)
    if _open_request(proposal):
        return False
    counted = Proposal.objects.filter(
        pk=proposal.pk, asked_again__lt=MOST_REQUESTS_PER_LINK
    ).update(asked_again=models.F("asked_again") + 1)
    if not counted:
        with translation.override(proposal.person.language):
            raise TooManyRequests(
                _("New dates were asked for from this link already; please write to %(host)s.")
                % {"host": proposal.host.display_name}
            )
    with translation.override(proposal.host.language):  # the host reads it, not the relation
        said = (_("Asked for new dates from the link.") + " " + note[:2000]).strip()
        return _owe_new_dates(proposal, said)


def _new_dates_owed(proposal: Proposal) -> str:
    return _("Send %(name)s new dates for ‘%(title)s’") % {
        "name": proposal.person.name,
        "title": proposal.title,
    }


def _open_request(proposal: Proposal) -> bool:
    """Whether the host still owes them new dates for this offer."""
    with translation.override(proposal.host.language):
        what = _new_dates_owed(proposal)
    return Promise.objects.filter(
        workspace_id=proposal.workspace_id,
        person=proposal.person,
        kind=PromiseKind.NEW_DATES,
        what=what,
        outcome="open",
    ).exists()


def _owe_new_dates(proposal: Proposal, said: str) -> bool:
    """Their answer on the timeline, and a promise to send new dates by tomorrow (once)."""
    what = _new_dates_owed(proposal)
    owed = _open_request(proposal)
    if owed and Interaction.objects.filter(person=proposal.person, notes=said).exists():
        return False  # asked before, and already owed: pressing again adds nothing
    Interaction.objects.create(
        workspace_id=proposal.workspace_id,
        person=proposal.person,
        kind=InteractionKind.MESSAGE,
        direction=Direction.INBOUND,
        notes=said,
    )
    if owed:
        return False
    promise = Promise.objects.create(
        workspace_id=proposal.workspace_id,
        owner=proposal.host.user,
        person=proposal.person,
        kind=PromiseKind.NEW_DATES,
        what=what[:300],
        due_at=timezone.now() + timedelta(days=1),
    )
    Proposal.objects.filter(pk=proposal.pk).update(owed=promise)
    proposal.owed = promise
    return True


def _booked_meeting(proposal: Proposal) -> Appointment:
    meeting = proposal.booked
    if (
        proposal.state != ProposalState.BOOKED
        or meeting is None
        or meeting.status != AppointmentStatus.CONFIRMED
        or meeting.starts_at <= timezone.now()
    ):
        raise BookingRefused(_("This meeting can no longer be changed here."))
    return meeting


def _tell_the_host(proposal: Proposal, text: str, note: str = "") -> None:
    Interaction.objects.create(
        workspace_id=proposal.workspace_id,
        person=proposal.person,
        kind=InteractionKind.MESSAGE,
        direction=Direction.INBOUND,
        notes=(for_host(proposal, text) % {"title": proposal.title} + " " + note[:2000]).strip(),
    )


@transaction.atomic
def change_booking(proposal: Proposal) -> tuple[Proposal, str]:
    """From the private link: the booked time no longer suits them. The meeting is cancelled by
    them, the host hears of it, and fresh times are offered on a new link (returned)."""
    meeting = _booked_meeting(proposal)
    meeting.transition(AppointmentStatus.CANCELLED_BY_THEM)
    _tell_the_host(proposal, gettext_noop("Asked for another time for “%(title)s” from the link."))
    return offer(
        proposal.host,
        proposal.person,
        count=max(proposal.slots.count(), 1),
        duration=timedelta(minutes=proposal.duration_minutes),
        title=proposal.title,
        place=proposal.place,
        co_host=proposal.co_host,
        replaces=meeting,
    )


@transaction.atomic
def cancel_booking(proposal: Proposal, note: str = "") -> Appointment:
    """From the private link: they cannot come. The meeting is cancelled by them, and the host
    hears of it (new dates after their cancel come on the host's agenda)."""
    meeting = _booked_meeting(proposal)
    meeting.transition(AppointmentStatus.CANCELLED_BY_THEM)
    _tell_the_host(proposal, gettext_noop("Cancelled “%(title)s” from the link."), note)
    return meeting
