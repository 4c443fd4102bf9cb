"""Bearer tokens: `Authorization: Bearer vb_…`, made in Settings or by `verbind token create`.

Unknown tokens are counted per address (``workspaces.throttle``): after a few, the address
is refused for a growing while before any token is looked up, so tokens cannot be guessed
without limit.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from verbind.workspaces import throttle
from verbind.workspaces.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        address = throttle.address_key(request)
        lock = throttle.current_lock((throttle.Scope.TOKEN, address))
        if lock is not None:
            raise HttpError(429, _too_many(lock))
        found = ApiToken.objects.find(token)
        if found is None:
            lock = throttle.failed(throttle.Scope.TOKEN, address)
            if lock is not None:
                raise HttpError(429, _too_many(lock))
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.membership = found.membership
        request.workspace = found.membership.workspace
        request.user = found.membership.user
        return found


def _too_many(lock: throttle.Lock) -> str:
    return (
        f"Too many unknown tokens from this address: refused for {lock.minutes()} more "
        f"minute(s), until {lock.until.isoformat(timespec='seconds')}."
    )
