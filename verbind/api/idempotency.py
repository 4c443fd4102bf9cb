"""``Idempotency-Key`` on the API's POSTs: a repeated request gets the first answer, and
nothing is done twice (no second message, no second booking).

A client that is not sure its POST arrived (a timeout, a dropped connection) sends it again
with the same key: within 24 hours it gets the same status and body back, marked with
``Idempotent-Replayed: true``. The same key with another request is refused (422); while
the first is still being answered, the second gets 409 and may try again a moment later.
Answers the server could not give (5xx) are not kept, so a retry does the work.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from verbind.api.models import KEPT_FOR, IdempotentAnswer

HEADER = "Idempotency-Key"
LONGEST = 200
NOT_KEPT = (401, 429)  # no token, or too many tries: nothing was done


def _digest(*parts: bytes) -> str:
    found = hashlib.sha256()
    for part in parts:
        found.update(part)
        found.update(b"\0")
    return found.hexdigest()


def _refusal(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse(
        {"message": message, "code": code, "errors": {HEADER: [message]}}, status=status
    )


def _body_of(request) -> bytes:
    """The body, or for an upload (read later, in parts, maybe large) its type and length."""
    if request.content_type == "multipart/form-data":
        return f"multipart;{request.META.get('CONTENT_LENGTH')}".encode()
    return request.body


class IdempotentPosts:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > LONGEST or not key.isprintable():
            return _refusal(
                422, f"An {HEADER} is 1 to {LONGEST} printable characters.", "idempotency_key"
            )
        scope = _digest(request.headers.get("Authorization", "").encode())
        fingerprint = _digest(
            request.method.encode(), request.get_full_path().encode(), _body_of(request)
        )
        now = timezone.now()
        IdempotentAnswer.objects.filter(scope=scope, key=key, created_at__lt=now - KEPT_FOR).delete()
        try:
            with transaction.atomic():
                kept = IdempotentAnswer.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            return self._again(scope, key, fingerprint)
        response = self.get_response(request)
        status = response.status_code
        if status >= 500 or status in NOT_KEPT or getattr(response, "streaming", False):
            IdempotentAnswer.objects.filter(pk=kept.pk).delete()
            return response
        IdempotentAnswer.objects.filter(pk=kept.pk).update(
            status=status,
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
        return response

    def _again(self, scope: str, key: str, fingerprint: str):
        first = IdempotentAnswer.objects.filter(scope=scope, key=key).first()
        if first is None:  # answered with a server error and let go meanwhile: try again
            return _refusal(409, "That request is being retried; send it again.", "in_progress")
        if first.fingerprint != fingerprint:
            return _refusal(
                422,
                f"This {HEADER} was used for another request; use a new key for a new request.",
                "idempotency_key_reused",
            )
        if first.status == 0:
            return _refusal(
                409, "The first request with this key is still being answered.", "in_progress"
            )
        replay = HttpResponse(bytes(first.body), status=first.status, content_type=first.content_type)
        replay["Idempotent-Replayed"] = "true"
        return replay
