from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from verbind.desk.privacy import kept_about
from verbind.desk.visits import expected
from verbind.lib.refusals import Refused
from verbind.workspaces.commands import MemberCommand

STYLE = {"away": "bold red", "meeting": "yellow", "in": "green"}


class Command(MemberCommand):
    member_help = "at whose desk (any member of the workspace)"
    help = (
        "Print the day's expected visitors with each host's situation (for a screen at the desk)."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("--day", metavar="DATE", help="another day, e.g. 2026-12-01")
        parser.add_argument(
            "--visitor",
            metavar="WHO",
            help="instead: what the desk keeps about a visitor (name, e-mail or phone), as JSON",
        )

    def handle(self, *args, member, workspace, day, visitor, json: bool, **options):
        membership = self.membership(member, workspace)
        if visitor is not None:
            try:
                found = kept_about(membership.workspace, visitor)
            except Refused as exc:
                raise CommandError(exc.message, returncode=2) from None
            self.stdout.write(self.dumps(found))
            return
        zone = membership.zone
        try:
            when = date.fromisoformat(day) if day else None
        except ValueError:
            raise CommandError(
                f"--day {day!r} is not a date; write it like 2026-12-01", returncode=2
            ) from None
        lines = expected(membership.workspace, when, timezone.now(), zone)
        if json:
            self.stdout.write(
                self.dumps(
                    [
                        {
                            "at": line.expected_at.astimezone(zone).isoformat(),
                            "visitor": line.visitor,
                            "host": line.host.display_name if line.host else "",
                            "state": line.state,
                            "situation": line.situation.text if line.situation else "",
                        }
                        for line in lines
                    ]
                )
            )
            return
        console = Console(file=self.stdout, highlight=False)
        if not lines:
            console.print("No visits expected.")
            return
        table = Table(title=f"Visits at {membership.workspace.name}")
        for column in ("time", "visitor", "host", "host's situation", "state"):
            table.add_column(column)
        for line in lines:
            where = line.situation
            table.add_row(
                f"{line.expected_at.astimezone(zone):%H:%M}",
                line.visitor,
                line.host.display_name if line.host else "",
                f"[{STYLE.get(where.kind, '')}]{where.text}[/]" if where else "",
                line.state.replace("_", " "),
            )
        console.print(table)
