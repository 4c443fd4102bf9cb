"""The JSON API under /api/v1/. Schema: /api/v1/openapi.json, browsable docs: /api/v1/docs."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from verbind.api.auth import TokenAuth
from verbind.api.routers import (
    absences,
    agenda,
    appointments,
    calendars,
    desk,
    duplicates,
    figures,
    imports,
    interactions,
    introductions,
    keeping,
    ledger,
    me,
    members,
    messages,
    organisations,
    people,
    promises,
    proposals,
    webhooks,
)
from verbind.lib.refusals import Refused
from verbind.lib.uploads import body_too_large_message

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Verbind API",
    version="1",
    description=(
        "Everything Verbind knows about your network, scoped to the workspace of the token. "
        "Send `Authorization: Bearer <token>`; make a token in Settings or with "
        "`verbind token create --member EMAIL`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
api.add_router("/agenda", agenda.router)
api.add_router("/people", people.router)
api.add_router("/organisations", organisations.router)
api.add_router("/interactions", interactions.router)
api.add_router("/appointments", appointments.router)
api.add_router("/promises", promises.router)
api.add_router("/proposals", proposals.router)
api.add_router("/calendars", calendars.router)
api.add_router("/absences", absences.router)
api.add_router("/desk", desk.router)
api.add_router("/introductions", introductions.router)
api.add_router("/ledger", ledger.router)
api.add_router("/members", members.router)
api.add_router("", keeping.router)
api.add_router("/messages", messages.router)
api.add_router("/duplicates", duplicates.router)
api.add_router("/imports", imports.router)
api.add_router("/figures", figures.router)
api.add_router("/me", me.router)
api.add_router("/webhooks", webhooks.router)


def _field_errors(detail: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in detail:
        loc = [
            str(part) for part in item.get("loc", []) if part not in ("body", "payload", "query")
        ]
        errors.setdefault(".".join(loc) or "request", []).append(item.get("msg", "invalid"))
    return errors


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    errors = _field_errors(exc.errors)
    summary = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
    return api.create_response(
        request, {"message": f"Invalid request — {summary}", "errors": errors}, status=422
    )


@api.exception_handler(DjangoValidationError)
def model_invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
    summary = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
    return api.create_response(
        request, {"message": f"Invalid request — {summary}", "errors": errors}, status=422
    )


@api.exception_handler(Refused)
def refused(request, exc):
    """What the rules do not allow: 409 (clashes with the state of things) or 422 (bad input)."""
    return api.create_response(
        request, {"message": exc.message, "code": exc.code}, status=exc.status
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request,
        {"message": "Missing or unknown token: send `Authorization: Bearer <token>`."},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return api.create_response(
        request, {"message": body_too_large_message(), "code": "too_large"}, status=413
    )


@api.exception_handler(Exception)
def unexpected(request, exc):
    log.exception("API error on %s", request.path)
    return api.create_response(
        request, {"message": "Something went wrong on our side."}, status=500
    )
