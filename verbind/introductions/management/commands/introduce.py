from __future__ import annotations

from django.core.management.base import CommandError

from verbind.introductions.flow import drafts, introduce
from verbind.people.models import Person
from verbind.workspaces.commands import MemberCommand


def find_person(workspace, text: str, which: str) -> Person:
    people = Person.objects.in_workspace(workspace)
    text = text.strip()
    found = (
        people.filter(pk=int(text)).first()
        if text.isdigit()
        else people.filter(email=text.lower()).first() or _by_name(people, text)
    )
    if found is None:
        raise CommandError(f"{which}: no person {text!r} in {workspace.slug}", returncode=2)
    return found


def _by_name(people, name: str):
    named = list(people.filter(name__iexact=name)[:2])
    if len(named) > 1:
        raise CommandError(
            f"{name!r} names more than one person: use their e-mail or id", returncode=2
        )
    return named[0] if named else None


class Command(MemberCommand):
    member_help = "the member who introduces"
    help = (
        "Introduce A (who is helped) to B (who can help): B is asked first, A only after B's "
        "yes. Writes the question to B as a draft to read and send from the outbox."
    )

    def add_command_arguments(self, parser):
        parser.add_argument("a", metavar="A", help="who is helped: e-mail, id or full name")
        parser.add_argument("b", metavar="B", help="who can help: e-mail, id or full name")
        parser.add_argument("--why", required=True, help="why these two should meet, in a line")
        parser.add_argument(
            "--a-asked", action="store_true", help="A asked for it: no need to ask A again"
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="go ahead although one of them declined an introduction in the last 6 months",
        )

    def handle(self, *args, a, b, why, a_asked, confirm, member, workspace, json: bool, **options):
        membership = self.membership(member, workspace)
        person_a = find_person(membership.workspace, a, "A")
        person_b = find_person(membership.workspace, b, "B")
        intro = introduce(membership, person_a, person_b, why, a_asked=a_asked, confirm=confirm)
        waiting = list(drafts(intro).values_list("id", flat=True))
        if json:
            self.stdout.write(
                self.dumps(
                    {
                        "id": intro.pk,
                        "a": {"id": person_a.pk, "name": person_a.name},
                        "b": {"id": person_b.pk, "name": person_b.name},
                        "state": intro.state,
                        "drafts": waiting,
                    }
                )
            )
            return
        self.stdout.write(
            f"Introduction {intro.pk}: {person_a.name} → {person_b.name}. "
            f"The question to {person_b.name} is a draft in your outbox "
            f"(message {', '.join(map(str, waiting))}): read it and send it."
        )
