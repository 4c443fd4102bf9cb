"""The few steps every API endpoint shares: scoped lookups and validated saves."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from verbind.workspaces.models import Role

# An id the database can hold: a larger number is a 422, not a server error (SQLite
# cannot bind it, PostgreSQL's columns are 64-bit; members' ids, Django's users, 32-bit).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(Schema):
    """What a client sends: a field the route does not know is refused (422, named), not
    silently dropped, so a typo in a script shows at once."""

    model_config = ConfigDict(extra="forbid")

UserId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def may_delete(request) -> None:
    if request.membership.role == Role.RECEPTION:
        raise HttpError(403, "Reception can look up and log, but not delete; ask a member.")


def scoped_get(request, model, pk: int):
    return get_object_or_404(model.objects.in_workspace(request.workspace), pk=pk)


def resolve(request, model, pk: int | None, field: str):
    """A referenced row of this workspace, or a 422 naming the field."""
    if pk is None:
        return None
    found = model.objects.in_workspace(request.workspace).filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {field: [f"There is no {model._meta.verbose_name} {pk} in this workspace."]}
        )
    return found


def resolve_member(request, pk: int | None, field: str = "owner_id"):
    if pk is None:
        return request.user
    found = get_user_model().objects.filter(pk=pk, memberships__workspace=request.workspace).first()
    if found is None:
        raise ValidationError({field: [f"There is no member {pk} in this workspace."]})
    return found


@transaction.atomic
def save(obj, **changes):
    for name, value in changes.items():
        field = obj._meta.get_field(name)
        if value is None and not field.null:
            raise ValidationError({name: ["This field cannot be null; leave it out to keep it."]})
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    obj.refresh_from_db()  # answer what is stored (times in UTC), as a GET would
    return obj
