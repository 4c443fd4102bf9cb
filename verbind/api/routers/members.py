"""The workspace's members: who they are, their role and backup; owners invite and remove.
A member's id is their user id (as ``owner_id`` and ``backup_id`` elsewhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId
from verbind.messaging import invitations
from verbind.workspaces import members
from verbind.workspaces.models import Invitation, Membership, Role
from verbind.workspaces.permissions import Action, guard, require

router = Router(tags=["members"])

RoleName = Literal["owner", "manager", "member", "reception"]
Language = Literal["nl", "en"]


class MemberOut(Schema):
    id: int = Field(description="the member's user id")
    name: str
    email: str
    role: str
    backup_id: int | None = Field(None, description="the backup colleague's user id")
    joined_at: datetime


def _member_out(member: Membership) -> dict:
    return {
        "id": member.user_id,
        "name": member.display_name,
        "email": member.user.email,
        "role": member.role,
        "backup_id": member.backup.user_id if member.backup_id else None,
        "joined_at": member.joined_at,
    }


class MemberChange(Input):
    role: RoleName | None = Field(None, description="owners only")
    backup_id: UserId | None = Field(
        None, description="a colleague's user id; null: no backup (owners and managers)"
    )


class InvitationIn(Input):
    email: str = Field(max_length=254)
    role: RoleName = "member"
    language: Language | None = Field(None, description="of the mail; default: yours")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    language: str
    expires_at: datetime


class NewInvitationOut(InvitationOut):
    link: str = Field(description="the sign-up link, shown only now (it also goes out by mail)")
    mail: str = Field(description="the mail's state in the outbox: queued, or ready for you")


def _member(request, user_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "workspace", "backup__user"),
        workspace=request.workspace,
        user_id=user_id,
    )


@router.get("", response=answers(list[MemberOut]), summary="Everyone in the workspace")
def list_members(request):
    return [_member_out(m) for m in members.everyone(request.workspace)]


@router.patch(
    "/{int:user_id}",
    response=answers(MemberOut, 403, 404, 409, 413),
    summary="Change a member's role or backup",
    description="The workspace's last owner cannot be made anything else (409, `last_owner`).",
)
@guard((Action.MANAGE_MEMBERS, Action.SET_BACKUP))
def change_member(request, user_id: UserId, payload: MemberChange):
    changes = payload.dict(exclude_unset=True)
    if "role" in changes:
        require(request.membership, Action.MANAGE_MEMBERS)
    if "backup_id" in changes:
        require(request.membership, Action.SET_BACKUP)
    member = _member(request, user_id)
    if "backup_id" in changes:
        backup = None
        if changes["backup_id"] is not None:
            backup = Membership.objects.filter(
                workspace=request.workspace, user_id=changes["backup_id"]
            ).select_related("user").first()
            if backup is None:
                raise ValidationError(
                    {"backup_id": [f"There is no member {changes['backup_id']} here."]}
                )
        members.set_backup(request.membership, member, backup)
    if changes.get("role") is not None:
        members.set_role(request.membership, member, changes["role"])
    return _member_out(_member(request, user_id))


@router.delete(
    "/{int:user_id}",
    response=answers({204: None}, 403, 404, 409),
    summary="Remove a member from the workspace",
    description="Their tokens stop working; their account stays. Not the last owner, nor yourself.",
)
@guard(Action.MANAGE_MEMBERS)
def remove_member(request, user_id: UserId):
    members.remove(request.membership, _member(request, user_id))
    return 204, None


@router.get(
    "/invitations",
    response=answers(list[InvitationOut], 403),
    summary="Invitations sent and not used yet",
)
@guard(Action.MANAGE_MEMBERS)
def list_invitations(request):
    return list(members.open_invitations(request.workspace))


@router.post(
    "/invitations",
    response=answers({201: NewInvitationOut}, 403, 409, 413),
    summary="Invite a colleague by e-mail",
    description=(
        "Mails a sign-up link in their language that works once, for a week. "
        "An earlier invitation to the same address stops working."
    ),
)
@guard(Action.MANAGE_MEMBERS)
def invite(request, payload: InvitationIn):
    invitation, message, link = invitations.invite(
        request.membership, payload.email, payload.role or Role.MEMBER, payload.language or ""
    )
    return 201, {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "language": invitation.language,
        "expires_at": invitation.expires_at,
        "link": link,
        "mail": message.state,
    }


@router.delete(
    "/invitations/{int:invitation_id}",
    response=answers({204: None}, 403, 404),
    summary="Withdraw an invitation",
)
@guard(Action.MANAGE_MEMBERS)
def withdraw_invitation(request, invitation_id: Id):
    members.withdraw(
        get_object_or_404(Invitation, workspace=request.workspace, pk=invitation_id)
    )
    return 204, None
