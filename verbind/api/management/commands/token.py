from __future__ import annotations

from django.core.management.base import CommandError

from verbind.workspaces.accounts import find_user
from verbind.workspaces.commands import VerbindCommand
from verbind.workspaces.models import ApiToken


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(VerbindCommand):
    help = "Make, list or revoke API tokens for scripts."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,list,revoke}"
        )
        create = actions.add_parser("create", help="make a token and print it (shown once)")
        create.add_argument("--member", required=True, metavar="EMAIL", help="whose token it is")
        create.add_argument("--workspace", metavar="SLUG", help="needed if the member has several")
        create.add_argument("--name", default="script", help="a name to recognise it by")
        create.add_argument("--json", action="store_true", help="print JSON for scripts")
        listing = actions.add_parser("list", help="list a member's live tokens")
        listing.add_argument("--member", required=True, metavar="EMAIL")
        revoke = actions.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options)

    def membership(self, email: str, slug: str | None):
        # Stricter than other commands' lookup: a token opens a whole workspace, so the
        # member is named, and a member of several workspaces must say which.
        user = find_user(email)
        if user is None:
            raise fail(f"no member with e-mail {email!r}")
        memberships = user.memberships.select_related("workspace")
        if slug:
            memberships = memberships.filter(workspace__slug=slug)
        found = list(memberships)
        if not found:
            where = f" of workspace {slug!r}" if slug else " of any workspace"
            raise fail(f"{email} is not a member{where}")
        if len(found) > 1:
            slugs = ", ".join(m.workspace.slug for m in found)
            raise fail(
                f"{email} is a member of several workspaces; pick one with --workspace ({slugs})"
            )
        return found[0]

    def do_create(self, member, workspace, name, json: bool, **_):
        membership = self.membership(member, workspace)
        token, raw = ApiToken.issue(membership, name)
        if json:
            self.stdout.write(
                self.dumps({"id": token.pk, "token": raw, "workspace": membership.workspace.slug})
            )
        else:
            self.stdout.write(raw)
            self.stderr.write(
                f"Token {token.pk} for {member} in {membership.workspace.slug}. "
                "Keep it safe: it is shown only this once."
            )

    def do_list(self, member, **_):
        user = find_user(member)
        if user is None:
            raise fail(f"no member with e-mail {member!r}")
        tokens = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True)
        for token in tokens.select_related("membership__workspace"):
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            self.stdout.write(
                f"{token.pk}\t{token.hint}…\t{token.name}\t{token.membership.workspace.slug}\t{used}"
            )

    def do_revoke(self, token_id, **_):
        token = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).first()
        if token is None:
            raise fail(f"no live token with id {token_id}")
        token.revoke()
        self.stdout.write(f"Token {token_id} revoked.")
