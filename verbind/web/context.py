"""What every signed-in page shows in its frame: how many messages wait for the member, and
whether the workspace has a front desk."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from verbind.lib.prepared import Prepared
from verbind.messaging.outbox import waiting_for
from verbind.workspaces.models import Membership, Role

# Every page's frame asks these: prepared once (lib.prepared).
RECEPTION = Prepared(
    lambda v: Membership.objects.filter(workspace_id=v.workspace, role=Role.RECEPTION).values_list(
        "pk"
    )[:1]
)


def outbox_count(request):
    workspace = getattr(request, "workspace", None)
    if workspace is None or not request.user.is_authenticated:
        return {}
    # Lazy: counted only on pages that show the navigation.
    return {"outbox_waiting": SimpleLazyObject(lambda: waiting_for(workspace, request.user))}


def has_desk(request):
    """Whether the navigation offers the desk: to reception, and in workspaces that have one."""
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        return {}

    def desk_in_use() -> bool:
        return bool(RECEPTION.run(workspace=membership.workspace_id))

    return {"has_desk": SimpleLazyObject(desk_in_use)}
