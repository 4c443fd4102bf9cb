from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone

from verbind.workspaces import throttle
from verbind.workspaces.commands import VerbindCommand


class Command(VerbindCommand):
    help = "Lift a sign-in lock after too many wrong passwords (without WHO: list the locks)."

    def add_arguments(self, parser):
        parser.add_argument(
            "who",
            nargs="*",
            metavar="WHO",
            help="an e-mail address (the account) or an IP address (sign-in and API tokens)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, who, json: bool, **options):
        if not who:
            return self.listing(json)
        lifted = {name: throttle.unlock(name) > 0 for name in who}
        if json:
            self.stdout.write(self.dumps({"unlocked": lifted}))
            return
        for name, done in lifted.items():
            self.stdout.write(f"{name}: unlocked" if done else f"{name}: was not locked")
        if not any(lifted.values()):
            raise CommandError("nothing was locked for " + ", ".join(who), returncode=2)

    def listing(self, json: bool) -> None:
        now = timezone.now()
        rows = [
            {
                "scope": row.scope,
                "key": row.key,
                "failures": row.failures,
                "locked_until": row.locked_until,
            }
            for row in throttle.locked_now(now)
        ]
        if json:
            self.stdout.write(self.dumps(rows))
            return
        if not rows:
            self.stdout.write("Nothing is locked.")
            return
        self.stdout.write("SCOPE\tWHO\tWRONG TRIES\tLOCKED UNTIL (UTC)")
        for row in rows:
            until = row["locked_until"].strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{row['scope']}\t{row['key']}\t{row['failures']}\t{until}")
