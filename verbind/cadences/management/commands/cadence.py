"""`verbind cadence PERSON|--tag T --every 6w`: keep in touch every so many weeks."""

from __future__ import annotations

import re

from django.core.management.base import CommandError

from verbind.cadences import cadence as cadences
from verbind.cadences.models import Cadence
from verbind.people.models import Person
from verbind.workspaces.commands import MemberCommand


def parse_every(text: str) -> int:
    """``6w`` or ``6`` (weeks), ``3m`` (months, as 4 weeks each)."""
    match = re.fullmatch(r"(\d+)\s*([wm]?)", text.strip().lower())
    if not match or int(match[1]) == 0:
        raise CommandError(
            f"--every {text!r}: write it like 6w (weeks) or 3m (months)", returncode=2
        )
    weeks = int(match[1]) * (4 if match[2] == "m" else 1)
    if weeks > 104:
        raise CommandError("--every is at most two years (104w)", returncode=2)
    return weeks


def find_person(workspace, text: str) -> Person:
    people = Person.objects.in_workspace(workspace)
    found = (
        people.filter(pk=int(text)).first()
        if text.isdigit()
        else people.filter(email=text.strip().lower()).first()
        or (people.filter(name__iexact=text.strip()).first())
    )
    if found is None:
        raise CommandError(f"no person {text!r} in {workspace.slug}", returncode=2)
    return found


class Command(MemberCommand):
    help = "Keep in touch with a person (or everyone with a tag) every so many weeks."

    def add_command_arguments(self, parser):
        parser.add_argument(
            "person", nargs="?", metavar="PERSON", help="their e-mail address, id or full name"
        )
        parser.add_argument("--tag", help="everyone carrying this tag, now and later")
        parser.add_argument("--every", help="how often: 6w (weeks) or 3m (months)")
        parser.add_argument("--stop", action="store_true", help="no cadence any more")

    def handle(self, *args, person, tag, every, stop, member, workspace, json, **options):
        if bool(person) == bool(tag):
            raise CommandError("name a PERSON or a --tag (one of the two)", returncode=2)
        if not stop and not every:
            raise CommandError("say how often with --every 6w (or --stop)", returncode=2)
        me = self.membership(member, workspace)
        if stop:
            rows = (
                Cadence.objects.filter(person=find_person(me.workspace, person), owner=me.user)
                if person
                else Cadence.objects.in_workspace(me.workspace).filter(tag__name__iexact=tag)
            )
            count = len(rows)
            rows.delete()
            self.stdout.write(self.dumps({"stopped": count}) if json else "Stopped.")
            return
        weeks = parse_every(every)
        if person:
            found = find_person(me.workspace, person)
            row = cadences.for_person(me.user, found, weeks)
            due = row.due_at.astimezone(me.zone)
            if json:
                self.stdout.write(
                    self.dumps(
                        {
                            "id": row.pk,
                            "person_id": found.pk,
                            "every_weeks": weeks,
                            "due_at": row.due_at.isoformat(),
                        }
                    )
                )
                return
            self.stdout.write(f"Every {weeks} weeks with {found.name}; next by {due:%a %d %b %Y}.")
            return
        group = cadences.for_tag(me.user, me.workspace, tag, weeks)
        people = group.people_rows.count()
        if json:
            self.stdout.write(
                self.dumps(
                    {"id": group.pk, "tag": group.tag.name, "every_weeks": weeks, "people": people}
                )
            )
            return
        self.stdout.write(
            f"Every {weeks} weeks with everyone tagged “{group.tag.name}” ({people} now)."
        )
