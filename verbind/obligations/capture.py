"""Capturing someone met at an event in seconds: a name, a line, how to reach them, and
(if you like) when to follow up — one person, one timeline entry, one promise."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.obligations.models import Promise, PromiseKind
from verbind.people.models import ContactKind, Direction, Interaction, InteractionKind, Person


@transaction.atomic
def capture(
    workspace,
    member,
    *,
    name: str,
    reach: str = "",
    talked: str = "",
    follow_up_at: datetime | None = None,
    language: str = "",
) -> Person:
    """The new person; *reach* is an e-mail address or a phone number, whichever was typed.

    Invalid input raises ValidationError naming the field, and nothing is written.
    """
    reach = reach.strip()
    known = _known_by(workspace, reach)
    if known is not None:  # the same address or number: the same person, met again
        known.was_known = True
        _log_and_promise(known, workspace, member, talked, follow_up_at)
        return known
    person = Person(
        workspace=workspace,
        name=" ".join(name.split()),
        email=reach if "@" in reach else "",
        phone="" if "@" in reach else reach,
        language=language or Person._meta.get_field("language").default,
        met_on=timezone.localdate(),
        met_how=_("Met in person"),
    )
    try:
        person.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
        if "email" in errors or "phone" in errors:  # one field on the form: "how to reach"
            errors["reach"] = errors.pop("email", []) + errors.pop("phone", [])
        raise ValidationError(errors) from None
    person.save()
    person.was_known = False
    _log_and_promise(person, workspace, member, talked, follow_up_at)
    return person


def _known_by(workspace, reach: str):
    """Someone of the workspace with this e-mail address or phone number (any of theirs)."""
    if not reach:
        return None
    if "@" in reach:
        kind, value = ContactKind.EMAIL, reach.lower()
    else:
        try:
            kind, value = ContactKind.PHONE, normalise_phone(reach)
        except BadPhoneNumber:
            return None  # the form names the problem when the person is made
    people = Person.objects.in_workspace(workspace)
    return (
        people.filter(**{kind: value}).first()
        or people.filter(contact_points__kind=kind, contact_points__value=value).first()
    )


def _log_and_promise(person, workspace, member, talked: str, follow_up_at) -> None:
    if talked.strip():
        Interaction.objects.create(
            workspace=workspace,
            person=person,
            member=member,
            kind=InteractionKind.EVENT,
            direction=Direction.MUTUAL,
            notes=talked.strip(),
        )
    if follow_up_at is not None:
        Promise.objects.create(
            workspace=workspace,
            person=person,
            owner=member,
            kind=PromiseKind.OTHER,
            what=(_("Follow up with %(name)s") % {"name": person.first_name})[:300],
            due_at=follow_up_at,
        )
