"""Error pages: JSON under /api/, a friendly page everywhere else."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from verbind.lib.uploads import body_limit_mb, body_too_large_message


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Bad request (is this host name allowed?)."}, status=400)
    return render(request, "web/400.html", status=400)


def forbidden(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Forbidden."}, status=403)
    return render(request, "web/403.html", status=403)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Not found."}, status=404)
    return render(request, "web/404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "Something went wrong on our side."}, status=500)
    return render(request, "web/500.html", status=500)


def too_large(request):
    """A form or body over DATA_UPLOAD_MAX_MEMORY_SIZE (files have their own, larger limit)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": body_too_large_message(), "code": "too_large"}, status=413)
    return render(request, "web/413.html", {"limit": body_limit_mb()}, status=413)
