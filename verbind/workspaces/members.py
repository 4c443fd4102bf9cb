"""Who belongs to a workspace: inviting colleagues by a sign-up link, their roles and backups,
and removing them. The workspace always keeps an owner.

The link works like a private offer link: 192 random bits, only the hash stored, for a week,
once (a compare-and-set marks it used). The mail that carries it is ``messaging.invitations``.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.lib.refusals import Invalid, Refused
from verbind.lib.tokens import hash_token, new_token
from verbind.workspaces.accounts import find_user, make_user
from verbind.workspaces.models import Invitation, Membership, Role

VALID_FOR = timedelta(days=7)


class LastOwner(Refused):
    code = "last_owner"


def everyone(workspace):
    """Everyone in the workspace, owners first, then by name."""
    order = {role: n for n, role in enumerate(Role.values)}
    found = list(
        Membership.objects.filter(workspace=workspace).select_related("user", "backup__user")
    )
    return sorted(found, key=lambda m: (order[m.role], m.display_name.lower()))


def _role(role: str) -> str:
    if role not in Role.values:
        raise Invalid(
            _("“%(role)s” is not a role; pick one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    return role


def invite(by: Membership, email: str, role: str = Role.MEMBER, language: str = "",
           now=None) -> tuple[Invitation, str]:
    """A new invitation for *email* to join *by*'s workspace as *role*; returns it with the raw
    link token (never stored). An earlier invitation to the same address stops working."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("“%(email)s” is not an e-mail address.") % {"email": email}) from None
    role = _role(role)
    workspace = by.workspace
    if Membership.objects.filter(workspace=workspace, user__username=email).exists():
        raise Refused(
            _("%(email)s is already a member of %(workspace)s.")
            % {"email": email, "workspace": workspace.name},
            code="already_member",
        )
    raw, digest = new_token()
    with transaction.atomic():
        Invitation.objects.filter(workspace=workspace, email=email).open(now).update(revoked_at=now)
        invitation = Invitation.objects.create(
            workspace=workspace,
            email=email,
            role=role,
            language=language or by.language,
            token_hash=digest,
            invited_by=by.user,
            created_at=now,
            expires_at=now + VALID_FOR,
        )
    return invitation, raw


def open_invitations(workspace, now=None):
    return Invitation.objects.filter(workspace=workspace).open(now).select_related("invited_by")


def withdraw(invitation: Invitation, now=None) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def find(raw: str, now=None) -> Invitation | None:
    """The invitation a link opens, while it still works."""
    if not raw or len(raw) > 100:
        return None
    return (
        Invitation.objects.open(now)
        .select_related("workspace", "invited_by")
        .filter(token_hash=hash_token(raw))
        .first()
    )


class LinkUsed(Refused):
    code = "invitation_not_open"


def _gone() -> LinkUsed:
    return LinkUsed(
        _(
            "This invitation has been used, withdrawn or has expired. "
            "Ask whoever invited you for a new one."
        )
    )


@transaction.atomic
def accept(raw: str, user, now=None) -> Membership:
    """*user* (whose address the invitation was sent to) joins. Works once."""
    now = now or timezone.now()
    invitation = find(raw, now)
    if invitation is None:
        raise _gone()
    if user.username != invitation.email:
        raise Refused(
            _(
                "This invitation is for %(email)s; you are signed in as %(you)s. "
                "Sign out and open the link again."
            )
            % {"email": invitation.email, "you": user.username},
            code="other_address",
        )
    used = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=now
    )
    if used != 1:  # opened twice at once: the other tap joined
        raise _gone()
    membership, _new = Membership.objects.get_or_create(
        workspace=invitation.workspace,
        user=user,
        defaults={"role": invitation.role, "language": invitation.language, "joined_at": now},
    )
    return membership


@transaction.atomic
def join(raw: str, full_name: str, password: str, now=None) -> Membership:
    """Someone without an account makes one from the invitation and joins."""
    invitation = find(raw, now)
    if invitation is None:
        raise _gone()
    if find_user(invitation.email) is not None:
        raise Refused(
            _("%(email)s has an account already: sign in, then open the link again.")
            % {"email": invitation.email},
            code="has_account",
        )
    if not full_name.strip():
        raise Invalid(_("Say your name: it signs the messages you send."))
    user = make_user(invitation.email, full_name.strip(), password)
    return accept(raw, user, now)


def _colleague(by: Membership, member: Membership) -> Membership:
    if member.workspace_id != by.workspace_id:  # the edges look up in the workspace; be sure
        raise Refused(_("There is no such member here."), code="not_found")
    return member


def _keeps_an_owner(member: Membership) -> None:
    """Refuse when *member* is the workspace's only owner (locking the owners' rows first, so
    two owners demoting each other at once cannot both succeed)."""
    owners = list(
        Membership.objects.select_for_update()
        .filter(workspace_id=member.workspace_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if owners == [member.pk]:
        raise LastOwner(
            _(
                "%(name)s is the only owner of this workspace, which always keeps one: "
                "make someone else owner first."
            )
            % {"name": member.display_name}
        )


@transaction.atomic
def set_role(by: Membership, member: Membership, role: str) -> Membership:
    _colleague(by, member)
    role = _role(role)
    if member.role == Role.OWNER and role != Role.OWNER:
        _keeps_an_owner(member)
    Membership.objects.filter(pk=member.pk).update(role=role)
    member.role = role
    return member


def set_backup(by: Membership, member: Membership, backup: Membership | None) -> Membership:
    _colleague(by, member)
    if backup is not None:
        if backup.workspace_id != member.workspace_id:
            raise Invalid(_("The backup must be a member of this workspace."))
        if backup.pk == member.pk:
            raise Invalid(
                _("%(name)s cannot be their own backup.") % {"name": member.display_name}
            )
    Membership.objects.filter(pk=member.pk).update(backup=backup)
    member.backup = backup
    return member


@transaction.atomic
def remove(by: Membership, member: Membership) -> None:
    """*member* leaves the workspace: their tokens stop working, their account stays (for
    other workspaces). The last owner cannot go, nor can anyone remove themselves here."""
    _colleague(by, member)
    if member.pk == by.pk:
        raise Refused(
            _("You cannot remove yourself; another owner can."), code="self"
        )
    if member.role == Role.OWNER:
        _keeps_an_owner(member)
    member.delete()
