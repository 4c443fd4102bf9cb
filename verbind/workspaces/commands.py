"""The base of Verbind's commands that act for one member: ``--member``, ``--workspace``,
``--json``, and refusals as one line with exit code 2."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from verbind.lib import jsontext
from verbind.lib.refusals import Refused
from verbind.workspaces.accounts import MembershipNotFound, find_membership
from verbind.workspaces.permissions import Action, require


class VerbindCommand(BaseCommand):
    """A command whose user mistakes (a ``Refused`` from the domain) end in one line and exit 2."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Refused as exc:
            raise CommandError(exc.message, returncode=2) from None

    def dumps(self, data) -> str:
        return jsontext.dumps(data)


def add_member_arguments(parser, json: bool = True, who: str = "as this member") -> None:
    """``--member`` and ``--workspace`` (and ``--json``), on a command or one of its actions."""
    parser.add_argument(
        "--member", metavar="EMAIL", help=f"{who} (default: the first owner)"
    )
    parser.add_argument("--workspace", metavar="SLUG", help="needed if the member has several")
    if json:
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")


class MemberCommand(VerbindCommand):
    """A command run for one member of one workspace."""

    json_option = True
    member_help = "as this member"
    # What the command does in the role table (docs/roles.md); None: it only reads.
    action: Action | None = None

    def add_arguments(self, parser):
        add_member_arguments(parser, self.json_option, self.member_help)
        self.add_command_arguments(parser)

    def add_command_arguments(self, parser) -> None:
        """The command's own arguments."""

    def membership(self, member: str | None, workspace: str | None):
        try:
            found = find_membership(member, workspace)
        except MembershipNotFound as exc:
            raise CommandError(str(exc), returncode=2) from None
        if self.action is not None:
            require(found, self.action)
        return found
