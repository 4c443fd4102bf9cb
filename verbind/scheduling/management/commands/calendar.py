from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verbind.scheduling.calendars import load
from verbind.transfer.records import ImportFailed
from verbind.workspaces.accounts import MembershipNotFound, find_membership


class Command(BaseCommand):
    help = (
        "Add a calendar (.ics) so free times and absences follow it, or list a member's calendars."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list}")
        add = actions.add_parser("add", help="read an .ics export (again, to refresh it)")
        add.add_argument("file", metavar="FILE")
        add.add_argument("--name", help="what to call it (default: the file name)")
        add.add_argument("--member", metavar="EMAIL")
        add.add_argument("--workspace", metavar="SLUG")
        listing = actions.add_parser("list", help="the member's calendars and when they were read")
        listing.add_argument("--member", metavar="EMAIL")
        listing.add_argument("--workspace", metavar="SLUG")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args, action, member, workspace, **options):
        try:
            membership = find_membership(member, workspace)
        except MembershipNotFound as exc:
            raise CommandError(str(exc), returncode=2) from None
        if action == "add":
            path = Path(options["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from None
            try:
                calendar = load(membership, options["name"] or path.name, data, path.name)
            except ImportFailed as exc:
                raise CommandError(str(exc.problem), returncode=2) from None
            blocks = calendar.blocks.count()
            away = calendar.blocks.filter(absence=True).count()
            self.stdout.write(f"Read {path.name}: {blocks} busy times, {away} of them absences.")
            return
        rows = [
            {
                "name": c.name,
                "busy": c.blocks.count(),
                "last_synced_at": c.last_synced_at.isoformat() if c.last_synced_at else None,
                "last_error": c.last_error,
            }
            for c in membership.calendars.order_by("name")
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows or [
            {"name": "(no calendars yet)", "busy": 0, "last_synced_at": "", "last_error": ""}
        ]:
            self.stdout.write(
                f"{row['name']}\t{row['busy']} busy\t{row['last_synced_at'] or ''}\t{row['last_error']}"
            )
