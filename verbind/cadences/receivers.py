"""How keeping in touch hears of every touch below it, and of every answer."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from verbind.cadences import nudges
from verbind.cadences.cadence import spread
from verbind.cadences.models import Cadence
from verbind.cadences.touches import touch
from verbind.messaging.signals import message_sent
from verbind.obligations.models import Appointment, AppointmentStatus, obligation_changed
from verbind.people.models import Direction, Interaction, Person
from verbind.people.signals import last_contacts_imported
from verbind.scheduling.signals import meeting_booked

ANSWERS = (Direction.INBOUND, Direction.MUTUAL)  # they spoke too: an answer to a nudge


@receiver(post_save, sender=Interaction)
def interaction_logged(sender, instance, created, raw=False, **kwargs):
    """An entry on the timeline is a touch; one from them (or both ways) is an answer.

    Answers on a private link (a time picked, "none of these suit me") arrive this way too.
    """
    if raw:
        return
    touch(instance.person_id, instance.occurred_at)
    if created and instance.direction in ANSWERS and instance.occurred_at <= timezone.now():
        nudges.answered(
            instance.person_id,
            instance.occurred_at,
            instance.notes.strip().splitlines()[0][:300]
            if instance.notes.strip()
            else instance.get_kind_display(),
        )


@receiver(message_sent)
def message_went_out(sender, message, **kwargs):
    """A message sent from the outbox is a touch, and may be a nudge's step."""
    if message.person_id:
        touch(message.person_id, message.sent_at or timezone.now())
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
    for person_id, at in last_contacts:
        touch(person_id, at)


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
