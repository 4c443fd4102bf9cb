"""Puts the signed-in user's current workspace and membership on the request."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

SESSION_KEY = "verbind_workspace"


def current_membership(request):
    """The membership the user works in: the one picked in this session, else their newest."""
    memberships = request.user.memberships.select_related("workspace", "user")
    chosen = request.session.get(SESSION_KEY)
    if chosen is not None:
        membership = memberships.filter(workspace_id=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("-joined_at", "-id").first()


class WorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.workspace = None
        if request.user.is_authenticated:
            request.membership = current_membership(request)
            if request.membership is not None:
                request.workspace = request.membership.workspace
                timezone.activate(zoneinfo.ZoneInfo(request.membership.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
