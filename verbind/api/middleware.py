"""Under /api/ every error is JSON with a message, also those Django answers itself (405)."""

from __future__ import annotations

from django.http import JsonResponse


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
            return JsonResponse({"message": message}, status=response.status_code)
        return response
