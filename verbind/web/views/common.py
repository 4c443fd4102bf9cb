"""What every page view needs: a member in a workspace, and workspace-scoped lookups."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render


def member_required(view):
    """Signed in, and a member of some workspace (else a page that says so)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.workspace is None:
            return render(request, "web/no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def scoped(request, model, pk, **extra):
    """The object of *model* with *pk* in the member's workspace, or 404 — never another's."""
    return get_object_or_404(model.objects.in_workspace(request.workspace), pk=pk, **extra)
