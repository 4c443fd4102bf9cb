from __future__ import annotations

from datetime import timedelta

from django.core.management.base import CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from verbind.followthrough.figures import over_period
from verbind.followthrough.management.commands.today import parse_when
from verbind.workspaces.commands import MemberCommand
from verbind.workspaces.models import Membership


def _minutes(value) -> str:
    if value is None:
        return "–"
    hours, minutes = divmod(round(value), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def figures_json(found) -> dict:
    return {
        "member_id": found.member_id,
        "repairs_opened": found.repairs_opened,
        "repairs_closed": found.repairs_closed,
        "silent_drops": found.silent_drops,
        "promises_kept": found.promises_kept,
        "promises_broken": found.promises_broken,
        "median_minutes_to_repair": found.median_minutes,
        "p90_minutes_to_repair": found.p90_minutes,
        "repaired": [
            {
                "repair_id": r.repair_id,
                "member_id": r.member_id,
                "person_id": r.person_id,
                "opened_at": r.opened_at.isoformat(),
                "closed_at": r.closed_at.isoformat(),
                "minutes": r.minutes,
            }
            for r in found.repaired
        ],
    }


class Command(MemberCommand):
    member_help = "whose workspace (any member of it)"
    help = "Follow-through figures per member and for the workspace over a period (GET /api/v1/figures)."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "--since", metavar="WHEN", help="start (default: 90 days before --until)"
        )
        parser.add_argument("--until", metavar="WHEN", help="end (default: now)")

    def handle(self, *args, member, workspace, since, until, json: bool, **options):
        membership = self.membership(member, workspace)
        zone = membership.zone
        end = parse_when(until, zone, "--until") if until else timezone.now()
        start = parse_when(since, zone, "--since") if since else end - timedelta(days=90)
        if start >= end:
            raise CommandError("--since must come before --until", returncode=2)
        found = over_period(membership.workspace, start, end)
        if json:
            self.stdout.write(
                self.dumps(
                    {
                        "since": start.isoformat(),
                        "until": end.isoformat(),
                        "workspace": figures_json(found[0]),
                        "members": [figures_json(f) for f in found[1:]],
                    }
                )
            )
            return
        names = {
            m.user_id: m.display_name
            for m in Membership.objects.filter(workspace=membership.workspace).select_related(
                "user"
            )
        }
        table = Table(
            title=f"{membership.workspace.name}: {start.astimezone(zone):%d %b %Y} – "
            f"{end.astimezone(zone):%d %b %Y}"
        )
        for column in (
            "",
            "repairs opened",
            "closed",
            "silent drops",
            "median to repair",
            "p90",
            "promises kept",
            "broken",
        ):
            table.add_column(column, justify="left" if not column else "right")
        for found_one in found:
            name = (
                "Everyone"
                if found_one.member_id is None
                else names.get(found_one.member_id, f"member {found_one.member_id}")
            )
            table.add_row(
                name,
                str(found_one.repairs_opened),
                str(found_one.repairs_closed),
                str(found_one.silent_drops),
                _minutes(found_one.median_minutes),
                _minutes(found_one.p90_minutes),
                str(found_one.promises_kept),
                str(found_one.promises_broken),
                style="bold" if found_one.member_id is None else None,
            )
        Console(file=self.stdout, highlight=False, width=110).print(table)
