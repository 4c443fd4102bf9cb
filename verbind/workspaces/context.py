def workspace(request):
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "workspace": getattr(request, "workspace", None),
        "other_memberships": (
            request.user.memberships.select_related("workspace").exclude(pk=membership.pk)
            if membership
            else []
        ),
    }
