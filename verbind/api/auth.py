"""Bearer tokens: `Authorization: Bearer vb_…`, made in Settings or by `verbind token create`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from verbind.workspaces.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = ApiToken.objects.find(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.membership = found.membership
        request.workspace = found.membership.workspace
        request.user = found.membership.user
        return found
