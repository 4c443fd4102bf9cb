"""Backup and restore: everything Verbind holds, as one JSON file that knows its schema."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.core import serializers
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from verbind import __version__
from verbind.lib.jsontext import Encoder
from verbind.lib.nul import nul_paths
from verbind.lib.refusals import Invalid
from verbind.people.models import Person
from verbind.workspaces.models import Workspace

FORMAT = "verbind-backup"
VERSION = 1
APPS = ["workspaces", "people", "obligations", "followthrough", "messaging", "scheduling"]
MODELS = ["auth.user"] + APPS


class RestoreRefused(Invalid):
    code = "restore"


def schema() -> dict[str, list[str]]:
    """The migrations applied here, per app: what the data in a backup is shaped by."""
    loader = MigrationLoader(connection)
    applied = {}
    for app_label, name in sorted(loader.applied_migrations):
        if app_label in APPS or app_label == "auth":
            applied.setdefault(app_label, []).append(name)
    return applied


def _querysets():
    from django.apps import apps

    for label in MODELS:
        if "." in label:
            yield apps.get_model(label).objects.order_by("pk")
        else:
            for model in apps.get_app_config(label).get_models():
                yield model.objects.order_by("pk")


def backup() -> dict:
    objects = []
    for queryset in _querysets():
        objects.extend(
            json.loads(
                serializers.serialize(
                    "json", queryset, use_natural_foreign_keys=True, cls=Encoder
                )
            )
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "verbind": __version__,
        "created_at": timezone.now().isoformat(),
        "schema": schema(),
        "data": objects,
    }


def check(document: dict, filename: str) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RestoreRefused(f"{filename} is not a Verbind backup")
    if document.get("version", 0) > VERSION:
        raise RestoreRefused(
            f"{filename} was written by a newer Verbind (backup format {document['version']})"
        )
    known = MigrationLoader(connection, ignore_no_migrations=True).disk_migrations
    for app_label, names in (document.get("schema") or {}).items():
        unknown = [n for n in names if (app_label, n) not in known]
        if unknown:
            raise RestoreRefused(
                f"{filename} comes from a newer Verbind: {app_label} migration {unknown[0]} is unknown here. "
                "Upgrade Verbind, then restore."
            )


def is_empty() -> bool:
    return not Workspace.objects.exists() and not Person.objects.exists()


def _refuse_nul(document: dict, filename: str) -> None:
    """PostgreSQL cannot store a NUL in text (SQLite could, before Verbind stripped them)."""
    for row in document.get("data") or []:
        fields = row.get("fields") if isinstance(row, dict) else None
        for name, value in (fields or {}).items():
            if next(nul_paths(value), None) is not None:
                raise RestoreRefused(
                    f"{filename}: {row.get('model')} {row.get('pk')} holds a NUL character in "
                    f"“{name}”, which the database cannot store; remove it from the file "
                    "(the \\u0000 in that field), then restore again"
                )


def _load(fixture: Path, filename: str) -> None:
    """loaddata, with a refusal that names the row instead of a traceback."""
    try:
        with transaction.atomic():
            call_command("loaddata", str(fixture), verbosity=0)
    except (DatabaseError, DeserializationError, ValueError, TypeError) as exc:
        # Django names the row it was loading: "Could not load people.Person(pk=3): …"
        reason = " ".join(str(exc).split())
        raise RestoreRefused(f"{filename} cannot be restored: {reason[:500]}") from None


@transaction.atomic
def restore(document: dict, filename: str, replace: bool = False) -> int:
    """Load a backup into this database; refuses to mix it with existing data unless *replace*."""
    check(document, filename)
    _refuse_nul(document, filename)
    if not is_empty():
        if not replace:
            raise RestoreRefused(
                "this database already holds data; restore into an empty one, or use --replace"
            )
        for queryset in reversed(list(_querysets())):
            queryset.model.objects.all().delete()
    with tempfile.TemporaryDirectory() as folder:
        fixture = Path(folder) / "verbind-restore.json"
        fixture.write_text(json.dumps(document["data"]), encoding="utf-8")
        _load(fixture, filename)
    _reset_sequences()
    return len(document["data"])


def _reset_sequences() -> None:
    """On PostgreSQL, new rows must not reuse the ids the backup brought."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    models = [qs.model for qs in _querysets()]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
