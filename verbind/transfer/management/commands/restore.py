from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verbind.transfer.backup import RestoreRefused, restore


class Command(BaseCommand):
    help = "Restore a backup made by `verbind backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the backup to read")
        parser.add_argument(
            "--replace", action="store_true", help="delete what this database holds first"
        )

    def handle(self, *args, file, replace, **options):
        path = Path(file)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=2) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"{path.name} is not a Verbind backup (not JSON: {exc})", returncode=2
            ) from None
        try:
            count = restore(document, path.name, replace=replace)
        except RestoreRefused as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"Restored {count} records from {path.name}.")
