from __future__ import annotations

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from verbind.followthrough.agenda import agenda_for
from verbind.workspaces.commands import MemberCommand

LABELS = {0: "overdue", 1: "today", 2: "coming"}
STYLE = {0: "bold red", 1: "yellow", 2: "cyan"}


def parse_when(text: str, zone, option: str = "--at") -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date and time; write it like 2026-12-01T09:00",
            returncode=2,
        ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def item_json(item, zone) -> dict:
    return {
        "key": item.key,
        "rule": item.rule,
        "urgency": LABELS[item.urgency],
        "why": item.why,
        "due_by": item.due_by.astimezone(zone).isoformat(),
        "person": {"id": item.person.pk, "name": item.person.name},
        "actions": item.actions,
        "link": item.link or None,
    }


class Command(MemberCommand):
    member_help = "whose agenda"
    help = "Show what is due: the agenda of a member, now or at a moment to come."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "--at",
            metavar="WHEN",
            help="as it will stand then if nobody acts, e.g. 2026-12-01T09:00",
        )

    def handle(self, *args, member, workspace, at, json: bool, **options):
        membership = self.membership(member, workspace)
        zone = membership.zone
        moment = parse_when(at, zone) if at else timezone.now()
        items = agenda_for(membership, moment)
        if json:
            self.stdout.write(self.dumps([item_json(item, zone) for item in items]))
            return
        console = Console(file=self.stdout, highlight=False)
        when = moment.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")
        title = f"{membership.display_name} — {membership.workspace.name} — {when}"
        if not items:
            console.print(
                f"{title}\nNothing is due. Everyone you owe something has heard from you."
            )
            return
        table = Table(title=title, show_lines=False)
        table.add_column("When", no_wrap=True)
        table.add_column("Due by", no_wrap=True)
        table.add_column("Who")
        table.add_column("What")
        table.add_column("Key", style="dim")
        for item in items:
            table.add_row(
                f"[{STYLE[item.urgency]}]{LABELS[item.urgency]}[/]",
                item.due_by.astimezone(zone).strftime("%a %d %b %H:%M"),
                item.person.name,
                item.why,
                item.key,
            )
        console.print(table)


