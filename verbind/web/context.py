"""What every signed-in page shows in its frame: how many messages wait for the member."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from verbind.messaging.outbox import waiting_for


def outbox_count(request):
    workspace = getattr(request, "workspace", None)
    if workspace is None or not request.user.is_authenticated:
        return {}
    # Lazy: counted only on pages that show the navigation.
    return {"outbox_waiting": SimpleLazyObject(lambda: waiting_for(workspace, request.user))}
