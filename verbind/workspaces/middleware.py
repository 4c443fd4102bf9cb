"""Puts the signed-in user's current workspace and membership on the request."""

from __future__ import annotations

import zoneinfo

from django.urls import Resolver404, resolve
from django.utils import timezone

SESSION_KEY = "verbind_workspace"


def for_anyone(view):
    """Marks a page anyone opens with a private link, whoever is signed in or not.

    It has no use for a member's workspace, so the middleware does not look it up: a member
    opening such a link (their own, to check it) costs no session, user or membership
    query (issue #13)."""
    view.for_anyone = True
    return view


def _for_anyone(request) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "for_anyone", False)


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
        if not _for_anyone(request) and request.user.is_authenticated:
            request.membership = current_membership(request)
            if request.membership is not None:
                request.workspace = request.membership.workspace
                timezone.activate(zoneinfo.ZoneInfo(request.membership.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
