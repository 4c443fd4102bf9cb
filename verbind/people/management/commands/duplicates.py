from __future__ import annotations

from rich.console import Console
from rich.table import Table

from verbind.people.duplicates import suggestions
from verbind.workspaces.commands import MemberCommand


class Command(MemberCommand):
    help = "List people who are probably the same person (to merge on the web page /duplicates/)."

    def handle(self, *args, member, workspace, json: bool, **options):
        membership = self.membership(member, workspace)
        found = suggestions(membership.workspace)
        if json:
            self.stdout.write(
                self.dumps(
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


