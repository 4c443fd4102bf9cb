from __future__ import annotations

import re
from datetime import timedelta

from django.core.management.base import CommandError

from verbind.people.models import Person
from verbind.scheduling.proposals import link, offer
from verbind.workspaces.accounts import MembershipNotFound, find_membership
from verbind.workspaces.commands import MemberCommand
from verbind.workspaces.permissions import Action


def parse_within(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)\s*([dw])", text.strip().lower())
    if not match:
        raise CommandError(f"--within {text!r}: write it like 14d or 3w", returncode=2)
    if int(match[1]) == 0:
        raise CommandError("--within must be at least 1d", returncode=2)
    days = int(match[1]) * (7 if match[2] == "w" else 1)
    if days > 365:
        raise CommandError("--within is at most a year", returncode=2)
    return timedelta(days=days)


class Command(MemberCommand):
    action = Action.OFFER_TIMES
    member_help = "the host"
    help = "Offer a person a few free times to pick from a private link, and print the link."

    def add_command_arguments(self, parser):
        parser.add_argument("person", metavar="PERSON", help="their e-mail address, or their id")
        parser.add_argument(
            "--count", type=int, default=3, help="how many times to offer (default 3)"
        )
        parser.add_argument("--within", default="14d", help="look this far ahead, e.g. 14d or 3w")
        parser.add_argument("--duration", type=int, default=60, help="minutes (default 60)")
        parser.add_argument(
            "--title", default="", help="what the meeting is (default: Meeting with NAME)"
        )
        parser.add_argument("--place", default="", help="where (shown on the link and invite)")
        parser.add_argument(
            "--co-host", metavar="EMAIL", help="a colleague who joins; times suit both"
        )

    def handle(
        self,
        *args,
        person,
        count,
        within,
        duration,
        title,
        member,
        workspace,
        json: bool,
        place,
        co_host,
        **options,
    ):
        span = parse_within(within)
        host = self.membership(member, workspace)
        people = Person.objects.in_workspace(host.workspace)
        found = (
            people.filter(pk=int(person)).first()
            if person.isdigit()
            else people.filter(email=person.strip().lower()).first()
        )
        if found is None:
            raise CommandError(f"no person {person!r} in {host.workspace.slug}", returncode=2)
        partner = None
        if co_host:
            try:
                partner = find_membership(co_host, host.workspace.slug)
            except MembershipNotFound as exc:
                raise CommandError(f"--co-host: {exc}", returncode=2) from None
        proposal, raw = offer(
            host,
            found,
            count=count,
            within=span,
            duration=timedelta(minutes=duration),
            title=title,
            place=place,
            co_host=partner,
        )
        starts = [slot.starts_at for slot in proposal.slots.all()]
        zone = host.zone
        if json:
            self.stdout.write(
                self.dumps(
                    {
                        "id": proposal.pk,
                        "link": link(raw),
                        "expires_at": proposal.expires_at.isoformat(),
                        "slots": [s.isoformat() for s in starts],
                    }
                )
            )
            return
        self.stdout.write(
            f"Link for {found.name} (valid until {proposal.expires_at.astimezone(zone):%d %b %Y}):"
        )
        self.stdout.write(f"  {link(raw)}")
        for start in starts:
            self.stdout.write(f"  – {start.astimezone(zone):%a %d %b %H:%M} ({host.time_zone})")


