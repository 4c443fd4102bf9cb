"""You: your own settings and your API tokens (Settings on the web)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input, UserId
from verbind.workspaces.models import Role
from verbind.workspaces.permissions import Action, guard
from verbind.workspaces.preferences import change_preferences

router = Router(tags=["you"])


class MeOut(Schema):
    user_id: int
    email: str
    first_name: str
    last_name: str
    workspace: str = Field(description="the workspace this token belongs to")
    role: Role
    time_zone: str
    language: str
    digest_hour: int
    wants_digest: bool
    backup_id: int | None = Field(description="your backup colleague's user id")
    mobile: str

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_first_name(obj) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj) -> str:
        return obj.user.last_name

    @staticmethod
    def resolve_workspace(obj) -> str:
        return obj.workspace.name

    @staticmethod
    def resolve_backup_id(obj) -> int | None:
        return obj.backup.user_id if obj.backup_id else None


class MePatch(Input):
    first_name: str | None = Field(None, min_length=1, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    time_zone: str | None = Field(None, max_length=64, description="e.g. Europe/Amsterdam")
    language: str | None = Field(None, pattern="^(nl|en)$")
    digest_hour: int | None = Field(None, ge=0, le=23)
    wants_digest: bool | None = None
    backup_id: UserId | None = Field(None, description="a colleague's user id; null for none")
    mobile: str | None = Field(None, max_length=40)


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="the token's last characters, to tell them apart")
    created_at: datetime
    last_used_at: datetime | None


@router.get("", response=answers(MeOut), summary="You, in this workspace")
def get_me(request):
    return request.membership


@router.patch("", response=answers(MeOut, 403, 413), summary="Change your own settings")
@guard(Action.OWN_SETTINGS)
def change_me(request, payload: MePatch):
    changes = payload.dict(exclude_unset=True)
    for name in ("first_name", "time_zone", "language", "digest_hour", "wants_digest"):
        if name in changes and changes[name] is None:
            changes.pop(name)  # null for a field that must have a value: left as it is
    return change_preferences(request.membership, changes)


@router.get("/tokens", response=answers(list[TokenOut]), summary="Your API tokens that work")
def list_tokens(request):
    return list(request.membership.tokens.filter(revoked_at__isnull=True).order_by("-created_at"))


@router.delete(
    "/tokens/{int:token_id}",
    response=answers({204: None}, 403, 404),
    summary="Revoke one of your tokens (this one too, if you ask)",
)
@guard(Action.OWN_SETTINGS)
def revoke_token(request, token_id: Id):
    get_object_or_404(request.membership.tokens, pk=token_id, revoked_at__isnull=True).revoke()
    return 204, None
