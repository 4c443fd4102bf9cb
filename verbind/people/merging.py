"""Merging two people into one — keeping every interaction, appointment and promise — and undoing it."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from verbind.people.models import Merge, Person

FIELDS = [
    "name",
    "email",
    "phone",
    "organisation",
    "job_title",
    "language",
    "preferred_channel",
    "met_how",
    "met_on",
    "notes",
    "created_at",
]
# Every row that points at a person, by model label and field.
POINTERS = [
    ("people.Interaction", "person"),
    ("obligations.Appointment", "person"),
    ("obligations.Promise", "person"),
    ("followthrough.Lapse", "person"),
    ("followthrough.Repair", "person"),
    ("messaging.OutboxMessage", "person"),
]


class MergeRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _snapshot(person: Person) -> dict:
    data = model_to_dict(person, fields=FIELDS)
    data["met_on"] = person.met_on.isoformat() if person.met_on else None
    data["created_at"] = person.created_at.isoformat()
    return data


@transaction.atomic
def merge(keep: Person, remove: Person, by=None) -> Merge:
    """*remove*'s history moves to *keep*; *keep*'s empty fields are filled from *remove*."""
    if keep.pk == remove.pk or keep.workspace_id != remove.workspace_id:
        raise MergeRefused("Pick two different people of the same workspace.")
    record = Merge(
        workspace_id=keep.workspace_id,
        kept=keep,
        removed_id=remove.pk,
        removed=_snapshot(remove),
        kept_before=_snapshot(keep),
        moved={},
        merged_by=by,
    )
    for label, field in POINTERS:
        model = apps.get_model(label)
        rows = model.objects.filter(**{field: remove})
        ids = list(rows.values_list("id", flat=True))
        if ids:
            rows.update(**{field: keep})
            record.moved[label] = ids
    Appointment = apps.get_model("obligations.Appointment")
    through = Appointment.participants.through
    extra = list(through.objects.filter(person=remove).values_list("id", flat=True))
    if extra:
        through.objects.filter(id__in=extra).update(person=keep)
        record.moved["participants"] = extra
    for field in FIELDS:
        if field == "created_at":
            keep.created_at = min(keep.created_at, remove.created_at)
        elif not getattr(keep, field if field != "organisation" else "organisation_id"):
            setattr(keep, field, getattr(remove, field))
    keep.save()
    remove.delete()
    record.save()
    return record


@transaction.atomic
def undo(record: Merge) -> Person:
    """Bring the removed person back with everything that was theirs, and restore the kept one."""
    if record.undone_at is not None:
        raise MergeRefused("This merge was already undone.")
    removed = Person(pk=record.removed_id, workspace_id=record.workspace_id)
    _restore(removed, record.removed)
    removed.save(force_insert=True)
    for label, ids in record.moved.items():
        if label == "participants":
            through = apps.get_model("obligations.Appointment").participants.through
            through.objects.filter(id__in=ids).update(person=removed)
        else:
            apps.get_model(label).objects.filter(id__in=ids).update(person=removed)
    kept = record.kept
    _restore(kept, record.kept_before)
    kept.save()
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return removed


def _restore(person: Person, data: dict) -> None:
    for field, value in data.items():
        if field == "organisation":
            person.organisation_id = value
        elif field in ("met_on", "created_at") and value:
            from datetime import date, datetime

            person.met_on = date.fromisoformat(value) if field == "met_on" else person.met_on
            if field == "created_at":
                person.created_at = datetime.fromisoformat(value)
        else:
            setattr(person, field, value)
