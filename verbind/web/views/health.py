"""``/health``: whether the worker keeps up, for a supervisor or a person; no sign-in needed."""

from __future__ import annotations

from django.db import Error as DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from verbind.lib.connections import heal
from verbind.worker import health as worker_health
from verbind.workspaces.permissions import guard


@guard(None)  # open to a supervisor without an account: no workspace data in it
@never_cache
@require_GET
def health(request):
    """200 when a worker completed a pass lately, 503 when not (or the database is away)."""
    try:
        report = worker_health.check(timezone.now())
    except DatabaseError:
        heal()
        return JsonResponse({"status": "database unreachable"}, status=503)
    return JsonResponse(report.public(), status=200 if report.healthy else 503)
