from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from verbind.people.duplicates import suggestions
from verbind.workspaces.accounts import MembershipNotFound, find_membership


class Command(BaseCommand):
    help = "List people who are probably the same person (to merge on the web page /duplicates/)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--member", metavar="EMAIL", help="as this member (default: the first owner)"
        )
        parser.add_argument("--workspace", metavar="SLUG", help="in this workspace")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, member, workspace, json: bool, **options):
        try:
            membership = find_membership(member, workspace)
        except MembershipNotFound as exc:
            raise CommandError(str(exc), returncode=2) from None
        found = suggestions(membership.workspace)
        if json:
            self.stdout.write(
                _dumps(
                    [
                        {
                            "first": {"id": s.first.pk, "name": s.first.name},
                            "second": {"id": s.second.pk, "name": s.second.name},
                            "score": s.score,
                            "reason": s.reason,
                        }
                        for s in found
                    ]
                )
            )
            return
        if not found:
            self.stdout.write("No likely duplicates.")
            return
        table = Table(title=f"Likely duplicates in {membership.workspace.name}")
        for column in ("Score", "Person", "Person", "Why"):
            table.add_column(column)
        for s in found:
            table.add_row(
                str(s.score),
                f"{s.first.name} (#{s.first.pk})",
                f"{s.second.name} (#{s.second.pk})",
                s.reason,
            )
        Console(file=self.stdout).print(table)


def _dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
