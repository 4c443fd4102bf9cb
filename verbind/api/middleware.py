"""Under /api/ every error is JSON with a message, also those Django answers itself (405)."""

from __future__ import annotations

import json

from django.http import JsonResponse

from verbind.lib.nul import nul_paths


class JsonApiErrors:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = {405: "This method is not allowed here."}.get(
                response.status_code, response.reason_phrase
            )
            answer = JsonResponse({"message": message}, status=response.status_code)
            if response.has_header("Allow"):  # a 405 says which methods there are
                answer["Allow"] = response["Allow"]
            return answer
        return response


class JsonBodies:
    """A JSON body must be an object, hold no NUL characters, and fit the size limit.

    Pydantic would take a NUL as text (PostgreSQL then fails, SQLite stores it)
    and ninja reads a body of ``[]`` or ``3`` as "no fields given"; both are a
    422 here, naming the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/api/")
            and request.method in ("POST", "PUT", "PATCH")
            and request.content_type
            not in ("multipart/form-data", "application/x-www-form-urlencoded")
        ):
            body = request.body  # too large: Django's 400, made a 413 in web.views.errors
            if body.strip():
                try:
                    document = json.loads(body)
                except (ValueError, UnicodeDecodeError):
                    document = None  # ninja says what is wrong with it
                else:
                    if not isinstance(document, dict):
                        return JsonResponse(
                            {
                                "message": "Invalid request — the body must be a JSON object "
                                "with the fields to set.",
                                "code": "not_an_object",
                                "errors": {"request": ["must be a JSON object"]},
                            },
                            status=422,
                        )
                    fields = sorted(set(nul_paths(document)))
                    if fields:
                        return JsonResponse(
                            {
                                "message": "Invalid request — "
                                + "; ".join(f"{f}: NUL characters are not allowed" for f in fields),
                                "code": "nul_character",
                                "errors": {f: ["NUL characters are not allowed"] for f in fields},
                            },
                            status=422,
                        )
        return self.get_response(request)
