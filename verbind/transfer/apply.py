"""Writing a plan: one transaction, so either all of it lands or nothing does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time

from django.db import connection, transaction
from django.db.models import CharField, TextField
from django.utils import timezone

from verbind.lib.refusals import Invalid
from verbind.people.models import ContactPoint, Organisation, Person
from verbind.people.signals import last_contacts_imported
from verbind.transfer.plan import NEW, SAME, UPDATE, Plan, Row

BATCH = 2000


class ImportRefused(Invalid):
    """A file with errors, imported without --valid-only: nothing is written."""

    code = "import"

    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} row(s) cannot be imported; nothing was written")
        self.plan = plan


def apply(
    plan: Plan, workspace, valid_only: bool = False, progress: Callable[[int], None] | None = None
) -> dict:
    """Write new people and fill in known ones. With errors, nothing — unless *valid_only*."""
    steps = apply_in_steps(plan, workspace, valid_only)
    written = 0
    while True:
        try:
            now_written = next(steps)
        except StopIteration as finished:
            return finished.value
        if progress:
            progress(now_written - written)
        written = now_written


def apply_in_steps(plan: Plan, workspace, valid_only: bool = False) -> Iterator[int]:
    """The same as apply(), yielding how many rows are written so far after each batch.

    The transaction spans the whole import; a consumer that stops early rolls it back.
    """
    if plan.errors and not valid_only:
        raise ImportRefused(plan)
    with transaction.atomic():
        organisations = _organisations(plan, workspace)
        rows = [row for row in plan.rows if row.action == NEW]
        ids: list[int] = []
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            made = _insert(Person, [_new_person(workspace, row, organisations) for row in batch])
            _add_contact_points(workspace, zip(batch, made, strict=True))
            ids += made
            yield len(ids)
        written = len(ids)
        updates = [row for row in plan.rows if row.action == UPDATE]
        changes: dict[int, dict] = {}
        for row in updates:
            for name, value in row.changes.items():
                if name == "organisation":
                    value = organisations.get(value.lower())
                changes.setdefault(row.person_id, {})[name] = value
        _update_fields(changes)
        _add_contact_points(workspace, ((row, row.person_id) for row in updates))
        if updates:
            written += len(updates)
            yield written
        _tell_last_contacts(plan, workspace, zip(rows, ids, strict=True))
    return {"created": len(ids), "updated": len(updates)}


def _new_person(workspace, row: Row, organisations: dict[str, Organisation]) -> dict:
    """The fields of the person a new row becomes (the others get their defaults)."""
    organisation = organisations.get(row.record.organisation.lower())
    return {
        "workspace_id": workspace.pk,
        "name": row.record.name,
        "email": row.email,
        "phone": row.phone,
        "organisation_id": organisation.pk if organisation else None,
        "job_title": row.record.job_title,
        "met_on": row.record.met_on,
        "met_how": row.record.met_how,
        "notes": row.record.notes,
        "profile_url": row.record.url,
    }


def _insert(model, rows: list[dict]) -> list[int]:
    """INSERT *rows* (attribute name -> value, the same names in each) and return their ids,
    in order; the fields not named get their defaults, the same for every row.

    ``bulk_create`` without a model instance per row and every value of it prepared through
    its field: that was half of the CPU time of writing an import; SQLite's and PostgreSQL's
    own work on the rows a third. Needs INSERT … RETURNING (SQLite 3.35, PostgreSQL).
    """
    if not rows:
        return []
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    named = [field for field in fields if field.attname in rows[0]]
    rest = [field for field in fields if field.attname not in rows[0]]
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in rest]
    # Text is stored as it is; dates and the like as their field prepares them.
    prepare = [
        None if isinstance(field, CharField | TextField) else field.get_db_prep_save
        for field in named
    ]
    values = [
        [
            value if prepared is None else prepared(value, connection)
            for value, prepared in zip(
                (row[field.attname] for field in named), prepare, strict=True
            )
        ]
        for row in rows
    ]
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(model._meta.db_table)}"
        f" ({', '.join(quote(field.column) for field in named + rest)})"
    )
    returning = f" RETURNING {quote(model._meta.pk.column)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column, as bulk_create sends them: a VALUES list of 2,000 rows
            # (28,000 parameters) took PostgreSQL three times as long to plan and run.
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in named)
            constants = "".join(f", %s::{field.db_type(connection)}" for field in rest)
            cursor.execute(
                f"{insert} SELECT v.*{constants} FROM UNNEST({arrays}) AS v{returning}",
                [*defaults, *(list(column) for column in zip(*values, strict=True))],
            )
            return [found[0] for found in cursor.fetchall()]
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per = connection.features.max_query_params // len(fields)
        ids: list[int] = []
        for start in range(0, len(rows), per):
            chunk = values[start : start + per]
            cursor.execute(
                f"{insert} VALUES {', '.join([one] * len(chunk))}{returning}",
                [value for row in chunk for value in (*row, *defaults)],
            )
            ids += [found[0] for found in cursor.fetchall()]
    return ids


def _update_fields(changes: dict[int, dict]) -> None:
    """Write what each known person gets filled in: one UPDATE per set of fields, for all
    people with that set at once (``bulk_update`` would write every field for every person
    through a CASE per field and person, which is most of an import's time)."""
    groups: dict[tuple[str, ...], list[tuple[int, dict]]] = defaultdict(list)
    for pk, changed in changes.items():
        groups[tuple(sorted(changed))].append((pk, changed))
    for names, rows in groups.items():
        fields = [Person._meta.get_field(name) for name in names]
        _update_rows(
            fields,
            [[_db_value(field, changed[field.name]) for field in fields] for _pk, changed in rows],
            [pk for pk, _changed in rows],
        )


def _update_rows(fields: list, values: list[list], pks: list[int]) -> None:
    """Set *fields* of the people *pks* to their *values* (a list per person)."""
    quote = connection.ops.quote_name
    table, pk = quote(Person._meta.db_table), quote(Person._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(
                f"UPDATE {table} SET {columns} WHERE {pk} = %s",
                [[*row, person] for row, person in zip(values, pks, strict=True)],
            )
            return
        # PostgreSQL: one statement, the values as one array per column. Its search index
        # trigger then runs once for all of them, not once per person (8,909 statements and
        # trigger calls took 6.5 s of a LinkedIn import).
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        names = ", ".join(f"c{i}" for i in range(len(fields)))
        columns = ", ".join(f"{quote(field.column)} = v.c{i}" for i, field in enumerate(fields))
        cursor.execute(
            f"UPDATE {table} SET {columns} FROM UNNEST({arrays}, %s::bigint[]) AS v({names}, pk)"
            f" WHERE {table}.{pk} = v.pk",
            [*(list(column) for column in zip(*values, strict=True)), pks],
        )


def _db_value(field, value):
    if field.is_relation:  # the organisation: its id
        value = value.pk if value is not None else None
        return field.target_field.get_db_prep_save(value, connection)
    return field.get_db_prep_save(value, connection)


def _tell_last_contacts(plan: Plan, workspace, made: Iterable[tuple[Row, int]]) -> None:
    """The file's "last contact" dates, for whoever keeps track of being in touch."""
    zone = timezone.get_default_timezone()
    ids = {id(row): person_id for row, person_id in made}
    found = [
        (ids.get(id(row), row.person_id), datetime.combine(row.record.last_contact, time(12), zone))
        for row in plan.rows
        if row.record.last_contact and row.action in (NEW, UPDATE, SAME)
    ]
    found = [(pk, at) for pk, at in found if pk]
    if found:
        last_contacts_imported.send(Plan, workspace=workspace, last_contacts=found)


def _add_contact_points(workspace, rows: Iterable[tuple[Row, int]]) -> None:
    """The further addresses and numbers of the rows, for the people (ids) they became."""
    points = [
        ContactPoint(workspace=workspace, person_id=person_id, kind=kind, value=value)
        for row, person_id in rows
        for kind, value in row.more
    ]
    # A person edited since the preview may have one of them already: that is no error.
    ContactPoint.objects.bulk_create(points, batch_size=BATCH, ignore_conflicts=True)


def _organisations(plan: Plan, workspace) -> dict[str, Organisation]:
    """The organisations the rows name, found by name or made once."""
    wanted = {}
    for row in plan.rows:
        name = row.record.organisation or row.changes.get("organisation", "")
        if row.action in (NEW, UPDATE) and name:
            wanted.setdefault(name.lower(), name)
    found = {o.name.lower(): o for o in Organisation.objects.in_workspace(workspace)}
    missing = [
        Organisation(workspace=workspace, name=name)
        for key, name in wanted.items()
        if key not in found
    ]
    for organisation in Organisation.objects.bulk_create(missing):
        found[organisation.name.lower()] = organisation
    return found
