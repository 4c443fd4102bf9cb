"""Capturing someone met at an event in seconds: a name, a line, how to reach them, and
(if you like) when to follow up — one person, one timeline entry, one promise."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.obligations.models import Promise, PromiseKind
from verbind.people.models import Direction, Interaction, InteractionKind, Person


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
    return person
