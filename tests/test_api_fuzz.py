"""Schemathesis sends the whole API what its OpenAPI schema allows, and more: no server error.

Each operation gets a bounded number of generated requests (deterministic, so a
run repeats exactly), with a real token, against the Django app itself.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.conftest import make_appointment, make_promise
from verbind.workspaces.models import ApiToken, SignInFailures
from verbind.wsgi import application

# Part of the fault suite (`pytest -m faults`): the limits on what a client sends.
pytestmark = pytest.mark.faults

EXAMPLES = 5  # generated per operation, after the coverage phase's cases
CALLS: list[str] = []


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Every case the schema's boundaries define (the coverage phase), then a few generated
# ones; one method the API does not serve, per route, is enough to see it answered 405.
schema.config.phases.coverage.unexpected_methods = {"TRACE"}


@pytest.fixture(autouse=True)
def keep_the_connection():
    # The WSGI handler would close the test's connection after each request (Django's
    # test Client does the same disconnecting): keep it, so the test's transaction holds.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Calendar addresses it makes up are not looked up in the DNS: no name is known."""

    def unknown(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)


@pytest.fixture
def token(owner, workspace, person):
    make_appointment(person, owner)
    make_promise(person, owner, due_in=timedelta(days=3))
    _token, raw = ApiToken.issue(owner.memberships.get(workspace=workspace), "fuzz")
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case, token):
    CALLS.append(case.operation.label)
    # Schemathesis tries wrong tokens on purpose; after ten from one address the API locks
    # it (429, tests/test_sign_in_throttle.py). Each example starts with a clean slate.
    SignInFailures.objects.all().delete()
    # A made-up Host is refused by Django (400, ALLOWED_HOSTS) before any route is reached:
    # the server's own rule, not a route's answer, so the generated ones are left out.
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "host"}
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        # Not errors but strictness: pydantic reads 0 as a date (lax mode), and a 422 for a
        # null the model refuses or an address that is no URL is an answer, not a fault.
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )


def test_the_fuzzing_covered_every_operation():
    """Runs after the fuzzing above (file order): every operation was called, many times."""
    if not CALLS:
        pytest.skip("run with the fuzzing test above")
    operations = {result.ok().label for result in schema.get_all_operations()}
    print(f"schemathesis: {len(set(CALLS))} operations, {len(CALLS)} requests, 0 server errors")
    assert set(CALLS) == operations
