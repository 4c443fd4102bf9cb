from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from verbind.transfer.backup import backup


class Command(BaseCommand):
    help = "Write everything (workspaces, people, history, outbox, calendars) to one JSON file."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            metavar="FILE",
            help="where to write it (default: verbind-backup-DATE.json; - for standard output)",
        )

    def handle(self, *args, file, **options):
        document = backup()
        text = json.dumps(document, ensure_ascii=False, indent=1)
        if file == "-":
            sys.stdout.write(text)
            return
        path = Path(file or f"verbind-backup-{timezone.now():%Y%m%d-%H%M}.json")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}", returncode=2) from None
        self.stdout.write(f"Backed up {len(document['data'])} records to {path}.")
