"""Merging two people into one — keeping everything that points at either — and undoing it.

What to fill and what to move comes from ``Person._meta``: a field added to Person is
filled like the others, and a model that gains a reference to Person has its rows moved
without a change here. Only the references in ``NOT_MOVED`` stay where they are.
"""

from __future__ import annotations

import json
from datetime import date

from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from verbind.lib.refusals import Refused
from verbind.people.models import ContactKind, ContactPoint, Merge, Person

# References to Person that a merge leaves alone, as (model label, field), each with why.
NOT_MOVED = {
    # A person's give-and-get balance is counted from their ledger entries, which move;
    # the kept person's is counted again at the next entry, the removed one's goes with them.
    ("introductions.Balance", "person"),
    # Earlier merges into the removed person: their "kept before" describes the removed
    # person, so they cannot be undone onto someone else; they go with the removed person.
    ("people.Merge", "kept"),
}
# Merge records made before fields were named in the key ("people.Interaction") moved
# the field "person"; the oldest named the participants table "participants".
OLD_KEYS = {"participants": ("obligations.Appointment_participants", "person")}


class MergeRefused(Refused):
    code = "merge"


def fields_to_fill() -> list[models.Field]:
    """The person's own details: every concrete, editable field but the id and the workspace."""
    return [
        f
        for f in Person._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != "workspace"
    ]


def references() -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to Person, as (model, field), hidden ones and M2M tables included.

    ``include_hidden`` matters: a ForeignKey with ``related_name="+"`` and the table behind
    a ManyToManyField (Appointment.participants) are hidden from ``related_objects``. The
    ManyToManyField itself is covered by its table's foreign key, so it is skipped.
    """
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if isinstance(rel, ForeignObjectRel) and not rel.many_to_many:
            found.append((rel.related_model, rel.field))
    return found


def moved_references() -> list[tuple[type[models.Model], models.ForeignKey]]:
    return [(m, f) for m, f in references() if (m._meta.label, f.name) not in NOT_MOVED]


def _snapshot(person: Person) -> dict:
    data = {}
    for field in fields_to_fill():
        value = getattr(person, field.attname)
        # A date or a datetime (a date too) as ISO text, which field.to_python reads back.
        data[field.attname] = value.isoformat() if isinstance(value, date) else value
    return data


def _restore(person: Person, data: dict) -> None:
    for name, value in data.items():
        try:
            field = Person._meta.get_field(name)  # a name or an attname ("organisation_id")
        except FieldDoesNotExist:  # a field since removed from Person
            continue
        setattr(person, field.attname, None if value is None else field.to_python(value))


def _serialise(rows) -> list[dict]:
    return json.loads(serializers.serialize("json", rows))


def _unique_with(model, field: models.ForeignKey) -> list[list[str]]:
    """The other columns that, with *field*, must be unique in *model* (attnames)."""
    sets = [list(names) for names in model._meta.unique_together]
    sets += [
        list(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None
    ]
    sets += [[f.name] for f in model._meta.local_fields if f.unique and not f.primary_key]
    return [
        [model._meta.get_field(n).attname for n in names if n != field.name]
        for names in sets
        if field.name in names
    ]


def _clashes(model, field: models.ForeignKey, keep: Person, remove: Person) -> list:
    """Rows of *remove* that would repeat a row of *keep* where the two must differ.

    (Both at the same meeting; the same further address.) They are dropped, not moved.
    """
    clashing = []
    rows = model._base_manager.filter(**{field.name: remove})
    for others in _unique_with(model, field):
        kept_rows = model._base_manager.filter(**{field.name: keep})
        if not others:
            clashing += list(rows) if kept_rows.exists() else []
            continue
        taken = set(kept_rows.values_list(*others))
        clashing += [row for row in rows if tuple(getattr(row, n) for n in others) in taken]
    return list({row.pk: row for row in clashing}.values())


def _drop(record: Merge, rows) -> None:
    rows = list(rows)
    if rows:
        record.dropped += _serialise(rows)
        for row in rows:
            row.delete()


@transaction.atomic
def merge(keep: Person, remove: Person, by=None) -> Merge:
    """*remove*'s history moves to *keep*; *keep*'s empty fields are filled from *remove*.

    The removed person's addresses and numbers are kept: their primary one fills the kept
    person's when that is empty, and becomes a further one otherwise.
    """
    if keep.pk == remove.pk or keep.workspace_id != remove.workspace_id:
        raise MergeRefused("Pick two different people of the same workspace.")
    record = Merge(
        workspace_id=keep.workspace_id,
        kept=keep,
        removed_id=remove.pk,
        removed=_snapshot(remove),
        kept_before=_snapshot(keep),
        moved={},
        added={},
        dropped=[],
        merged_by=by,
    )
    for field in fields_to_fill():
        if field.name == "created_at":  # known since the first of the two was
            keep.created_at = min(keep.created_at, remove.created_at)
        elif getattr(keep, field.attname) in field.empty_values:
            setattr(keep, field.attname, getattr(remove, field.attname))
    primary = {ContactKind.EMAIL: keep.email, ContactKind.PHONE: keep.phone}
    # A further address that is now the kept person's primary would be there twice.
    for kind, value in primary.items():
        if value:
            points = ContactPoint.objects.filter(person__in=[keep, remove], kind=kind, value=value)
            _drop(record, points)
    for model, field in moved_references():
        _drop(record, _clashes(model, field, keep, remove))
        rows = model._base_manager.filter(**{field.name: remove})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            rows.update(**{field.name: keep})
            record.moved[f"{model._meta.label}.{field.name}"] = ids
    for kind, value in ((ContactKind.EMAIL, remove.email), (ContactKind.PHONE, remove.phone)):
        if value and value != primary[kind]:
            point, created = ContactPoint.objects.get_or_create(
                workspace_id=keep.workspace_id, person=keep, kind=kind, value=value
            )
            if created:
                record.added.setdefault(ContactPoint._meta.label, []).append(point.pk)
    keep.save()
    remove.delete()
    record.save()
    return record


def _reference(key: str) -> tuple[type[models.Model], str]:
    """The model and field a key of Merge.moved names: "app.Model.field"."""
    if key in OLD_KEYS:
        label, field = OLD_KEYS[key]
    elif key.count(".") == 2:
        label, field = key.rsplit(".", 1)
    else:  # "app.Model", from a record older than the field in the key
        label, field = key, "person"
    return apps.get_model(label), field


@transaction.atomic
def undo(record: Merge) -> Person:
    """Bring the removed person back with everything that was theirs, and restore the kept one."""
    if record.undone_at is not None:
        raise MergeRefused("This merge was already undone.")
    removed = Person(pk=record.removed_id, workspace_id=record.workspace_id)
    _restore(removed, record.removed)
    removed.save(force_insert=True)
    for label, ids in record.added.items():
        apps.get_model(label)._base_manager.filter(pk__in=ids).delete()
    for key, ids in record.moved.items():
        model, field = _reference(key)
        model._base_manager.filter(pk__in=ids).update(**{field: removed})
    kept = record.kept
    _restore(kept, record.kept_before)
    kept.save()
    for row in serializers.deserialize("json", json.dumps(record.dropped)):
        _put_back(row)
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return removed


def _put_back(row) -> None:
    """A dropped row returns unless what it belonged to is gone, or it is there again."""
    for field in row.object._meta.concrete_fields:
        target = getattr(row.object, field.attname) if field.is_relation else None
        if target is not None and not field.related_model._base_manager.filter(pk=target).exists():
            return
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        pass
