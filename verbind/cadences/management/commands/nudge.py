"""`verbind nudge PERSON --about "…"`: wait patiently for a decision, with warm steps."""

from __future__ import annotations

from django.core.management.base import CommandError

from verbind.cadences import nudges
from verbind.cadences.management.commands.cadence import find_person
from verbind.workspaces.commands import MemberCommand


def parse_weeks(text: str) -> list[int]:
    try:
        weeks = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise CommandError(f"--weeks {text!r}: write it like 2,4,8", returncode=2) from None
    if not weeks:
        raise CommandError("--weeks needs at least one number, like 2,4,8", returncode=2)
    return weeks


class Command(MemberCommand):
    help = "Wait patiently for a person's decision: warm steps at growing intervals, until they answer."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "person", metavar="PERSON", help="their e-mail address, id or full name"
        )
        parser.add_argument("--about", required=True, help="the decision that waits")
        parser.add_argument("--weeks", default="2,4,8", help="weeks between steps (default 2,4,8)")
        parser.add_argument(
            "--cap", type=int, default=3, help="at most this many steps (default 3)"
        )

    def handle(self, *args, person, about, weeks, cap, member, workspace, json, **options):
        me = self.membership(member, workspace)
        found = find_person(me.workspace, person)
        nudge = nudges.start(me.user, found, about, intervals=parse_weeks(weeks), cap=cap)
        if json:
            self.stdout.write(
                self.dumps(
                    {
                        "id": nudge.pk,
                        "person_id": found.pk,
                        "about": nudge.about,
                        "intervals": nudge.intervals,
                        "cap": nudge.cap,
                        "next_at": nudge.next_at.isoformat(),
                    }
                )
            )
            return
        first = nudge.next_at.astimezone(me.zone)
        self.stdout.write(
            f"Waiting patiently for {found.name} about “{nudge.about}”: "
            f"the first warm step is on your agenda on {first:%a %d %b %Y}."
        )
