"""Everything the web does, the API does too: each web route that acts names its API
counterpart here, with the same action of the role table underneath, and the schema says
the truth about each route (distinct names, the answers it can give)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import Schema

from verbind.api import routers
from verbind.api.api import api as ninja_api

# Web route name → the API operations that do the same ("METHOD /path", as in test_roles).
PARITY = {
    "agenda_action": ["POST /agenda/{key}/{action}"],
    "message": ["PATCH /messages/{message_id}", "POST /messages/{message_id}/send"],
    "message_sent": ["POST /messages/{message_id}/sent"],
    "message_cancel": ["POST /messages/{message_id}/cancel"],
    "message_retry": ["POST /messages/{message_id}/retry"],
    "quick_add": ["POST /people"],
    "person_new": ["POST /people"],
    "merge_people": ["POST /duplicates/merge"],
    "undo_merge": ["POST /duplicates/merges/{merge_id}/undo"],
    "import": ["POST /imports"],
    "import_preview": ["POST /imports"],  # dry_run=true is the preview
    "export_vcard": ["GET /imports/export"],
    "export_csv": ["GET /imports/export"],
    "person_edit": ["PATCH /people/{person_id}"],
    "person_ledger_add": ["POST /ledger/entries"],
    "person_ask_add": ["POST /ledger/asks"],
    "person_action": ["POST /interactions", "POST /promises", "POST /appointments", "POST /proposals"],
    "organisation_new": ["POST /organisations"],
    "organisation_edit": ["PATCH /organisations/{organisation_id}"],
    "appointment_transition": ["POST /appointments/{appointment_id}/transition"],
    "appointment_undo": ["POST /appointments/{appointment_id}/undo"],
    "entry_edit": ["PATCH /interactions/{interaction_id}"],
    "entry_delete": ["DELETE /interactions/{interaction_id}"],
    "promise_transition": ["POST /promises/{promise_id}/transition"],
    "reschedule": ["POST /appointments/{appointment_id}/reschedule"],
    "keeping": ["POST /cadences", "POST /events", "GET /nudges"],
    "nudge": ["GET /nudges/{nudge_id}"],
    "introductions": ["GET /introductions"],
    "introduction": ["GET /introductions/{introduction_id}"],
    "keeping_settings": ["PATCH /keeping/settings"],
    "cadence_group_stop": ["DELETE /cadences/{cadence_id}"],
    "nudge_decide": ["POST /nudges/{nudge_id}/wait-longer", "POST /nudges/{nudge_id}/close"],
    "event": ["POST /events/{event_id}/met", "GET /events/{event_id}"],
    "person_keeping": ["POST /cadences", "DELETE /cadences/{cadence_id}", "POST /tags",
                       "POST /tags/remove", "POST /nudges"],
    "settings": ["PATCH /me"],
    "calendars": ["PUT /calendars/week", "POST /calendars", "POST /calendars/upload"],
    "calendar_sync": ["POST /calendars/{calendar_id}/sync"],
    "calendar_remove": ["DELETE /calendars/{calendar_id}"],
    "absence_remove": ["DELETE /absences/{absence_id}"],
    "absence_offer_all": ["POST /absences/offer-new-dates"],
    "absence_to_backup": ["POST /absences/to-backup"],
    "absence_hand_over": ["POST /absences/{absence_id}/hand-over"],
    "feed_renew": ["POST /calendars/feed/renew"],
    "revoke_token": ["DELETE /me/tokens/{token_id}"],
    "desk_walk_in": ["POST /desk/walk-ins"],
    "desk_check_in": ["POST /desk/appointments/{appointment_id}/check-in"],
    "desk_answer": ["POST /desk/visits/{visit_id}/answer"],
    "desk_hand_over": ["POST /desk/visits/{visit_id}/hand-over"],
    "desk_failed": ["POST /desk/visits/{visit_id}/failed"],
    "desk_check_out": ["POST /desk/visits/{visit_id}/check-out"],
    "introduction_new": ["POST /introductions"],
    "introduction_act": ["POST /introductions/{introduction_id}/send",
                         "POST /introductions/{introduction_id}/end",
                         "POST /introductions/{introduction_id}/wait"],
    "ask_close": ["POST /ledger/asks/{ask_id}/close"],
    "webhooks": ["POST /webhooks"],
    "desk_settings": ["PATCH /desk/settings"],
    "desk_visitor_data": ["GET /desk/visitor-data"],
    "webhook_resume": ["POST /webhooks/{webhook_id}/resume"],
    "webhook_remove": ["DELETE /webhooks/{webhook_id}"],
    # Reading what is kept about a relation (not for reception): the timeline's entries, health.
    "person": ["GET /interactions", "GET /health/people/{person_id}"],
    "organisation": ["GET /health/organisations/{organisation_id}"],
    "members": ["POST /members/invitations", "PATCH /members/{user_id}"],
    "member_role": ["PATCH /members/{user_id}"],
    "member_backup": ["PATCH /members/{user_id}"],
    "member_remove": ["DELETE /members/{user_id}"],
    "invitation_withdraw": ["DELETE /members/invitations/{invitation_id}"],
}

# The few deliberate exceptions, each with why.
NOT_IN_THE_API = {
    "welcome_seen": "hides the first-hour welcome card of the Today page: a page thing",
    "switch_workspace": "a token belongs to one workspace; a script uses that workspace's token",
    "unlock_member": "an owner's remedy for a locked sign-in on the web; tokens never lock",
}

# What the web shows that a script reads: the page and the API route that gives the same.
READS = {
    "home": "GET /agenda",
    "figure": "GET /figures",
    "outbox": "GET /messages",
    "duplicates": "GET /duplicates",
    "people": "GET /people",
    "person": "GET /people/{person_id}",
    "introductions": "GET /introductions",
    "keeping": "GET /nudges",
    "desk": "GET /desk/visits",
    "webhooks": "GET /webhooks",
    "members": "GET /members",
}


def _web_routes(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) in ("admin/", "api/v1/", "i18n/"):
                continue
            yield from _web_routes(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry.name, entry.callback


def _api_operations() -> dict:
    found = {}
    for prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    route = f"{method} {prefix}{path}".replace("/{int:", "/{").rstrip("/")
                    found[route] = operation
    return found


def _actions(marked) -> set:
    if marked is None:
        return set()
    if isinstance(marked, dict):
        return set(marked.values())
    if isinstance(marked, tuple):
        return set(marked)
    return {marked}


def test_every_web_action_has_an_api_route_with_the_same_permission():
    operations = _api_operations()
    for name, view in _web_routes(get_resolver().url_patterns):
        web_actions = _actions(view.permission)
        if not web_actions:
            continue
        if name in NOT_IN_THE_API:
            continue
        assert name in PARITY, f"the web's {name!r} does {web_actions} but has no API route here"
        api_actions = set()
        for route in PARITY[name]:
            assert route in operations, f"{route} (for the web's {name!r}) is not in the API"
            api_actions |= _actions(getattr(operations[route].view_func, "permission", None))
        assert web_actions <= api_actions, (
            f"the web's {name!r} is checked as {web_actions}, its API routes as {api_actions}"
        )


def test_the_exceptions_and_reads_are_real_routes():
    names = {name for name, _view in _web_routes(get_resolver().url_patterns)}
    operations = _api_operations()
    assert set(NOT_IN_THE_API) <= names and set(PARITY) <= names and set(READS) <= names
    for name, route in READS.items():
        assert route in operations, f"the web's {name!r} shows what {route} should give"


def test_every_schema_has_a_name_of_its_own():
    """Two schemas of one name would be one in the OpenAPI document: one route would lie."""
    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(routers.__path__):
        module = importlib.import_module(f"verbind.api.routers.{info.name}")
        for name, thing in vars(module).items():
            if (
                inspect.isclass(thing)
                and issubclass(thing, Schema)
                and thing.__module__ == module.__name__
            ):
                assert name not in seen, f"{name} is in both {seen[name]} and {info.name}"
                seen[name] = info.name
    assert len(seen) > 50


@pytest.fixture(scope="module")
def openapi():
    return ninja_api.get_openapi_schema()


def test_every_route_lists_the_answers_it_can_give(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            codes = {str(code) for code in operation["responses"]}
            assert {"401", "422"} <= codes, f"{method.upper()} {path} lists {sorted(codes)}"
            if "_id}" in path:
                assert "404" in codes, f"{method.upper()} {path} can answer 404: say so"
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


def _schemas_of(openapi, schema):
    if "$ref" in schema:
        yield openapi["components"]["schemas"][schema["$ref"].split("/")[-1]]
    for choice in schema.get("anyOf", []):
        yield from _schemas_of(openapi, choice)


def test_every_json_body_refuses_fields_it_does_not_know(openapi):
    for path, methods in openapi["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            for schema in _schemas_of(openapi, body["schema"]):
                assert schema.get("additionalProperties") is False, (
                    f"{method.upper()} {path} ({schema['title']}) accepts unknown fields"
                )


def test_an_unknown_field_is_refused_with_its_name(api, person):
    answer = api.patch(f"/api/v1/people/{person.pk}", {"job_titel": "Director"})
    assert answer.status_code == 422
    assert any("job_titel" in field for field in answer.json()["errors"]), answer.json()
