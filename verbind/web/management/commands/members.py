from __future__ import annotations

from django.core.management.base import CommandError

from verbind.messaging import invitations
from verbind.workspaces import members
from verbind.workspaces.accounts import MembershipNotFound, find_membership
from verbind.workspaces.commands import VerbindCommand, add_member_arguments
from verbind.workspaces.models import Membership, Role
from verbind.workspaces.permissions import Action, require


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(VerbindCommand):
    help = "List the workspace's members; invite a colleague, set a role or a backup, remove one."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{list,invite,role,backup,remove}"
        )
        listing = actions.add_parser("list", help="everyone, with role and backup")
        add_member_arguments(listing, who="in the workspace of this member")
        invite = actions.add_parser(
            "invite", help="mail a sign-up link (works once, for a week) and print it"
        )
        invite.add_argument("email", metavar="EMAIL")
        invite.add_argument("--role", choices=Role.values, default=Role.MEMBER)
        invite.add_argument("--language", choices=["nl", "en"], help="of the mail (default: yours)")
        add_member_arguments(invite, who="as this owner")
        role = actions.add_parser("role", help="give a member another role (owners only)")
        role.add_argument("email", metavar="EMAIL")
        role.add_argument("role", choices=Role.values)
        add_member_arguments(role, json=False, who="as this owner")
        backup = actions.add_parser("backup", help="set who stands in for a member")
        backup.add_argument("email", metavar="EMAIL")
        backup.add_argument("backup", metavar="BACKUP_EMAIL", help="a colleague, or 'none'")
        add_member_arguments(backup, json=False, who="as this owner or manager")
        remove = actions.add_parser("remove", help="take a member out of the workspace")
        remove.add_argument("email", metavar="EMAIL")
        add_member_arguments(remove, json=False, who="as this owner")

    def handle(self, *args, action, member, workspace, **options):
        try:
            acting = find_membership(member, workspace)
        except MembershipNotFound as exc:
            raise fail(str(exc)) from None
        return getattr(self, f"do_{action}")(acting, **options)

    def colleague(self, acting: Membership, email: str) -> Membership:
        found = (
            Membership.objects.filter(workspace=acting.workspace, user__username=email.lower())
            .select_related("user", "workspace")
            .first()
        )
        if found is None:
            raise fail(f"{email} is not a member of {acting.workspace.slug}")
        return found

    def do_list(self, acting, json: bool = False, **_):
        rows = [
            {
                "id": m.user_id,
                "name": m.display_name,
                "email": m.user.email,
                "role": m.role,
                "backup": m.backup.user.email if m.backup_id else None,
            }
            for m in members.everyone(acting.workspace)
        ]
        if json:
            self.stdout.write(self.dumps(rows))
            return
        for row in rows:
            backup = f"\tbackup: {row['backup']}" if row["backup"] else ""
            self.stdout.write(f"{row['email']}\t{row['role']}\t{row['name']}{backup}")

    def do_invite(self, acting, email, role, language, json: bool = False, **_):
        require(acting, Action.MANAGE_MEMBERS)
        invitation, message, link = invitations.invite(acting, email, role, language or "")
        if json:
            self.stdout.write(
                self.dumps(
                    {
                        "id": invitation.pk,
                        "email": invitation.email,
                        "role": invitation.role,
                        "expires_at": invitation.expires_at,
                        "link": link,
                        "mail": message.state,
                    }
                )
            )
            return
        self.stdout.write(link)
        sent = "is on its way" if message.state == "queued" else "waits in the outbox"
        self.stderr.write(
            f"Invited {invitation.email} as {invitation.role} to {acting.workspace.slug}; "
            f"the mail {sent}. The link works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
        )

    def do_role(self, acting, email, role, **_):
        require(acting, Action.MANAGE_MEMBERS)
        member = members.set_role(acting, self.colleague(acting, email), role)
        self.stdout.write(f"{member.user.email} is now {member.role}.")

    def do_backup(self, acting, email, backup, **_):
        require(acting, Action.SET_BACKUP)
        member = self.colleague(acting, email)
        chosen = None if backup.lower() == "none" else self.colleague(acting, backup)
        members.set_backup(acting, member, chosen)
        said = chosen.user.email if chosen else "nobody"
        self.stdout.write(f"{member.user.email}'s backup: {said}.")

    def do_remove(self, acting, email, **_):
        require(acting, Action.MANAGE_MEMBERS)
        member = self.colleague(acting, email)
        members.remove(acting, member)
        self.stdout.write(f"{member.user.email} is no longer a member of {acting.workspace.slug}.")
