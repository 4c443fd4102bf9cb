from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verbind.transfer.exporting import csv_text, people_of, vcard, workspace_json
from verbind.workspaces.accounts import MembershipNotFound, find_membership


class Command(BaseCommand):
    help = "Export people as vCard 4.0 or CSV, or a whole workspace as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", metavar="FILE", help="where to write (default: stdout)"
        )
        parser.add_argument("--format", choices=["vcard", "csv", "json"], default="vcard")
        parser.add_argument(
            "--member", metavar="EMAIL", help="as this member (default: the first owner)"
        )
        parser.add_argument("--workspace", metavar="SLUG", help="from this workspace")

    def handle(self, *args, file, format, member, workspace, **options):
        try:
            membership = find_membership(member, workspace)
        except MembershipNotFound as exc:
            raise CommandError(str(exc), returncode=2) from None
        people = people_of(membership.workspace)
        if format == "vcard":
            text = vcard(people)
        elif format == "csv":
            text = csv_text(people)
        else:
            text = json.dumps(workspace_json(membership.workspace), ensure_ascii=False, indent=1)
        if file == "-":
            sys.stdout.write(text)
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        self.stderr.write(f"Wrote {file}.")
