"""How keeping in touch hears of every touch below it, and of every answer."""

from __future__ import annotations

from datetime import datetime

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.cadences import nudges
from verbind.cadences.cadence import spread
from verbind.cadences.models import Cadence, Nudge, NudgeState
from verbind.cadences.touches import touch, touch_many
from verbind.followthrough.delegation import period_handed, period_returned
from verbind.messaging.signals import messages_sent
from verbind.obligations.models import Appointment, AppointmentStatus, obligation_changed
from verbind.people.models import Direction, Interaction, InteractionKind, Person
from verbind.people.signals import last_contacts_imported
from verbind.scheduling.signals import meeting_booked

ANSWERS = (Direction.INBOUND, Direction.MUTUAL)  # they spoke too: an answer to a nudge


@receiver(post_save, sender=Interaction)
def interaction_logged(sender, instance, created, raw=False, **kwargs):
    """An entry on the timeline is a touch; one from them (or both ways) is an answer.

    Answers on a private link (a time picked, "none of these suit me") arrive this way too.
    """
    if raw or instance.kind == InteractionKind.NOTE:
        return  # a note to ourselves (who stands in, what was agreed inside) is no contact
    touch(instance.person_id, instance.occurred_at)
    if created and instance.direction in ANSWERS and instance.occurred_at <= timezone.now():
        nudges.answered(
            instance.person_id,
            instance.occurred_at,
            instance.notes.strip().splitlines()[0][:300]
            if instance.notes.strip()
            else instance.get_kind_display(),
        )


@receiver(messages_sent)
def messages_went_out(sender, messages, **kwargs):
    """Messages sent from the outbox are touches (read once for the group), and some may
    be a nudge's step."""
    now = timezone.now()
    moments: dict[int, datetime] = {}
    for message in messages:
        if message.person_id:
            at = message.sent_at or now
            moments[message.person_id] = max(at, moments.get(message.person_id, at))
    if moments:
        touch_many(moments)
    for message in messages:
        nudges.step_sent(message)


@receiver(obligation_changed)
def meeting_held(sender, obligation, old, new, by, **kwargs):
    if isinstance(obligation, Appointment) and new == AppointmentStatus.HELD:
        touch(obligation.person_id, min(obligation.ends_at, timezone.now()))


@receiver(meeting_booked)
def meeting_booked_on_a_link(sender, proposal, meeting, replaces, **kwargs):
    """They picked a time: an answer, and a touch."""
    now = timezone.now()
    touch(meeting.person_id, now)
    nudges.answered(meeting.person_id, now, meeting.title)


@receiver(last_contacts_imported)
def import_knew_a_newer_contact(sender, last_contacts, **kwargs):
    """An import says when you were last in touch: newer than we knew, the cadence follows."""
    moments: dict[int, datetime] = {}
    for person_id, at in last_contacts:
        moments[person_id] = max(at, moments.get(person_id, at))
    if moments:
        touch_many(moments)


@receiver(m2m_changed, sender=Person.tags.through)
def follow_the_tag(sender, instance, action, reverse, pk_set, **kwargs):
    """A person who gets a tag gets its cadence; one who loses it, loses that cadence."""
    if reverse or not pk_set:
        return
    if action == "post_add":
        for group in Cadence.objects.filter(tag_id__in=pk_set).select_related("tag"):
            spread(group, [instance])
    elif action == "post_remove":
        Cadence.objects.filter(person=instance, group__tag_id__in=pk_set).delete()


@receiver(period_handed)
def hand_rhythms_over(sender, delegation, add, **kwargs):
    """Away for a while: the person-cadences and nudges due in it go to the delegate (unless
    the delegate keeps their own rhythm with that person already)."""
    window = {"gte": delegation.starts_at, "lt": delegation.ends_at}
    for cadence in Cadence.objects.filter(
        owner_id=delegation.member_id,
        person__isnull=False,
        due_at__gte=window["gte"],
        due_at__lt=window["lt"],
    ).select_related("person"):
        if Cadence.objects.filter(owner_id=delegation.delegate_id, person=cadence.person).exists():
            continue
        Cadence.objects.filter(pk=cadence.pk).update(owner_id=delegation.delegate_id)
        add("cadence", cadence.pk, cadence.person.name)
    for nudge in Nudge.objects.filter(
        owner_id=delegation.member_id,
        state__in=[NudgeState.WAITING, NudgeState.DECIDE],
        next_at__gte=window["gte"],
        next_at__lt=window["lt"],
    ).select_related("person"):
        Nudge.objects.filter(pk=nudge.pk).update(owner_id=delegation.delegate_id)
        add("nudge", nudge.pk, f"{nudge.person.name}: {nudge.about}")


@receiver(period_returned)
def give_rhythms_back(sender, delegation, handed, now, **kwargs) -> list[str]:
    lines = []
    for row in handed:
        if row.kind == "cadence":
            cadence = Cadence.objects.filter(pk=row.object_id).first()
            if cadence is None:
                continue
            if (
                cadence.owner_id == delegation.delegate_id
                and not Cadence.objects.filter(
                    owner_id=delegation.member_id, person_id=cadence.person_id
                ).exists()
            ):
                Cadence.objects.filter(pk=cadence.pk).update(owner_id=delegation.member_id)
            touched = cadence.last_touch_at and cadence.last_touch_at >= delegation.starts_at
            said = (
                _("Keeping in touch with %(name)s: in touch while you were away")
                if touched
                else _("Keeping in touch with %(name)s: not yet, it is due")
            )
            lines.append(said % {"name": row.label})
        elif row.kind == "nudge":
            nudge = Nudge.objects.filter(pk=row.object_id).first()
            if nudge is None:
                continue
            if nudge.owner_id == delegation.delegate_id:
                Nudge.objects.filter(pk=nudge.pk).update(owner_id=delegation.member_id)
            lines.append(f"{row.label}: {nudge.get_state_display()}")
    return lines
