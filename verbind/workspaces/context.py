"""The member and workspace every template sees, and the member's other workspaces (the
switch in the account menu)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from verbind.lib.prepared import Prepared
from verbind.workspaces.models import Membership

# Every page's frame asks it: prepared once (lib.prepared).
OTHERS = Prepared(
    lambda v: Membership.objects.filter(user_id=v.user)
    .exclude(pk=v.membership)
    .select_related("workspace")
    .order_by("pk")
)


def workspace(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "workspace": getattr(request, "workspace", None),
        "other_memberships": (
            SimpleLazyObject(lambda: OTHERS.run(user=request.user.pk, membership=membership.pk))
            if membership
            else []
        ),
    }
