from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from verbind.lib import jsontext
from verbind.transfer.exporting import csv_text, people_of, vcard, workspace_json
from verbind.workspaces.commands import MemberCommand
from verbind.workspaces.permissions import Action


class Command(MemberCommand):
    action = Action.EXPORT
    json_option = False
    help = "Export people as vCard 4.0 or CSV, or a whole workspace as JSON."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default="-", metavar="FILE", help="where to write (default: stdout)"
        )
        parser.add_argument("--format", choices=["vcard", "csv", "json"], default="vcard")

    def handle(self, *args, file, format, member, workspace, **options):
        membership = self.membership(member, workspace)
        people = people_of(membership.workspace)
        if format == "vcard":
            text = vcard(people)
        elif format == "csv":
            text = csv_text(people)
        else:
            text = jsontext.dumps(workspace_json(membership.workspace), indent=1)
        if file == "-":
            sys.stdout.write(text)
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {file}: {exc.strerror}", returncode=2) from None
        self.stderr.write(f"Wrote {file}.")
