"""Events and the people met there: captured in seconds, each owed a "nice to meet you"."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.cadences.models import Event, Met
from verbind.obligations.capture import capture

NICE_TO_MEET_DAYS = 2  # a nice-to-meet-you is due two days after the meeting


def create(
    member, workspace, *, name: str, held_on: date | None = None, place: str = "", notes: str = ""
) -> Event:
    """A new event; invalid input raises ValidationError naming the field, nothing written."""
    event = Event(
        workspace=workspace,
        owner=member,
        name=name,
        place=place.strip(),
        held_on=held_on or timezone.localdate(),
        notes=notes.strip(),
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def met_someone(
    event: Event, member, *, name: str, talked: str = "", reach: str = "", language: str = ""
):
    """Someone met at *event*: the person (known by address or number, else new), the line on
    their timeline, and a place on the event's list. No extra promise: the nice-to-meet-you
    item of the event is the follow-up."""
    person = capture(
        event.workspace, member, name=name, reach=reach, talked=talked, language=language
    )
    if not person.was_known:
        person.met_how = event.name[:300]
        person.met_on = event.held_on
        person.save(update_fields=["met_how", "met_on"])
    add_person(event, person, member, talked)
    return person


def add_person(event: Event, person, member, line: str = "") -> Met:
    if person.workspace_id != event.workspace_id:
        raise ValidationError({"person": _("That person is not in this workspace.")})
    met, _new = Met.objects.get_or_create(
        event=event,
        person=person,
        defaults={
            "workspace_id": event.workspace_id,
            "owner": member,
            "line": line.strip()[:500],
            "met_at": timezone.now(),
        },
    )
    return met
