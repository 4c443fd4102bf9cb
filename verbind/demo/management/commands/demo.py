from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from verbind.demo.stories import load_demo
from verbind.workspaces.accounts import ensure_local_owner, find_user


class Command(BaseCommand):
    help = "Load the demo workspace that plays Verbind's four stories."

    def add_arguments(self, parser):
        parser.add_argument(
            "--member", metavar="EMAIL", help="who gets it (default: the first owner account)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="rebuild it, with times relative to now"
        )

    def handle(self, *args, member, reset, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if member:
            owner = find_user(member)
            if owner is None:
                raise CommandError(f"no account with e-mail {member!r}", returncode=2)
            password = None
        else:
            owner, password = ensure_local_owner()
        workspace, created = load_demo(owner, reset=reset)
        if created:
            self.stdout.write(f"Loaded the demo workspace “{workspace.name}” for {owner.email}.")
        else:
            self.stdout.write(
                f"The demo workspace “{workspace.name}” is already there (--reset rebuilds it)."
            )
        if password:
            self.stdout.write(f"Sign in as {owner.email} with password {password} (shown once).")
