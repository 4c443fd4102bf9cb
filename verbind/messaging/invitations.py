"""The mail that invites a colleague to a workspace, in their language, through the outbox
(so it is retried, never lost, and the owner sees whether it went).

The invitation itself, and its rules, are ``workspaces.members``.
"""

from __future__ import annotations

from django.utils import translation

from verbind.messaging import keys
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import SEND, enqueue
from verbind.messaging.links import site_url
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.workspaces import members
from verbind.workspaces.models import Invitation, Membership, Role


def link(raw: str) -> str:
    return site_url(f"/join/{raw}/")


def invite(by: Membership, email: str, role: str = Role.MEMBER, language: str = "",
           now=None) -> tuple[Invitation, OutboxMessage, str]:
    """Invite *email* and queue the mail with the link; returns the invitation, the mail and
    the link (for the owner to pass on by hand when no mail server is set up)."""
    invitation, raw = members.invite(by, email, role, language, now)
    with translation.override(invitation.language):
        role_name = str(Role(invitation.role).label).lower()
    subject, body = render(
        "join",
        invitation.language,
        {
            "inviter": by.display_name,
            "workspace": by.workspace.name,
            "role": role_name,
            "until": local_text(invitation.expires_at, invitation.language, by.zone),
            "url": link(raw),
        },
    )
    message, _new = enqueue(
        keys.invitation(invitation.pk),
        workspace_id=invitation.workspace_id,
        purpose=Purpose.JOIN,
        language=invitation.language,
        to_address=invitation.email,
        subject=subject,
        body=body,
        then=SEND,
        sender=by.user,
    )
    return invitation, message, link(raw)
