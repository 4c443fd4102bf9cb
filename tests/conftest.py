"""Personas every test can use: an owner and a colleague in one workspace, an outsider in another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from verbind.obligations.models import Appointment, Promise
from verbind.people.models import Organisation, Person
from verbind.workspaces.accounts import create_workspace, make_user
from verbind.workspaces.models import ApiToken, Membership, Role

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts kept in the cache (the link pages' limit per address) start at zero each test."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a Dutch request must not leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture
def owner(db):
    return make_user("olga@example.org", "Olga Owner", PASSWORD)


@pytest.fixture
def workspace(owner):
    return create_workspace("Olga's network", owner)


@pytest.fixture
def colleague(workspace):
    user = make_user("cees@example.org", "Cees Colleague", PASSWORD)
    Membership.objects.create(workspace=workspace, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def outsider(db):
    user = make_user("otto@elsewhere.example", "Otto Outsider", PASSWORD)
    create_workspace("Otto's club", user)
    return user


@pytest.fixture
def other_workspace(outsider):
    return outsider.memberships.get().workspace


@pytest.fixture
def organisation(workspace):
    return Organisation.objects.create(
        workspace=workspace, name="Verbeek Bouwadvies", city="Utrecht"
    )


@pytest.fixture
def person(workspace, organisation):
    return Person.objects.create(
        workspace=workspace,
        name="Hans Verbeek",
        email="hans@verbeek.example",
        organisation=organisation,
    )


def make_appointment(person, owner, starts_in=timedelta(days=2), **extra):
    starts_at = timezone.now() + starts_in
    return Appointment.objects.create(
        workspace=person.workspace,
        person=person,
        owner=owner,
        title=extra.pop("title", "Coffee at his office"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        **extra,
    )


def make_promise(person, owner, due_in=timedelta(days=1), **extra):
    return Promise.objects.create(
        workspace=person.workspace,
        person=person,
        owner=owner,
        what=extra.pop("what", "Send the proposal"),
        due_at=timezone.now() + due_in,
        **extra,
    )


@pytest.fixture
def appointment(person, owner):
    return make_appointment(person, owner)


@pytest.fixture
def promise(person, owner):
    return make_promise(person, owner)


@pytest.fixture
def web(owner, workspace) -> Client:
    """The owner, signed in to the web app."""
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_web(outsider) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


class ApiClient:
    """A test client that sends a bearer token and JSON, like a script would."""

    def __init__(self, raw: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, data=None):
        return self.client.post(
            path, data or {}, content_type="application/json", headers=self.headers
        )

    def patch(self, path, data):
        return self.client.patch(path, data, content_type="application/json", headers=self.headers)

    def put(self, path, data):
        return self.client.put(path, data, content_type="application/json", headers=self.headers)

    def delete(self, path):
        return self.client.delete(path, headers=self.headers)

    def upload(self, path, data):
        """A form with a file (``data`` holds an open file or SimpleUploadedFile)."""
        return self.client.post(path, data, headers=self.headers)


@pytest.fixture
def api(owner, workspace) -> ApiClient:
    _token, raw = ApiToken.issue(owner.memberships.get(workspace=workspace), "tests")
    return ApiClient(raw)


@pytest.fixture
def outsider_api(outsider, other_workspace) -> ApiClient:
    _token, raw = ApiToken.issue(outsider.memberships.get(), "tests")
    return ApiClient(raw)


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Verbind's settings point at it for the test."""
    from tests.smtp import SmtpServer

    with SmtpServer() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server.inbox


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    """A real CalDAV server for the whole run (each test makes its own calendars in it)."""
    from tests.radicale import RadicaleServer

    with RadicaleServer(tmp_path_factory.mktemp("radicale")) as server:
        yield server


# The desk: Olga hosts, Cees is her backup, Rita is at reception, Linda Bakker visits.
@pytest.fixture
def desk_team(workspace, owner, colleague):
    """Olga hosts; Cees is her backup; Rita is at reception."""
    host = owner.memberships.get(workspace=workspace)
    backup = colleague.memberships.get(workspace=workspace)
    host.backup = backup
    host.mobile = "+31612345678"
    host.save()
    rita = make_user("rita@example.org", "Rita Reception", PASSWORD)
    reception = Membership.objects.create(workspace=workspace, user=rita, role=Role.RECEPTION)
    return host, backup, reception


@pytest.fixture
def visitor(workspace):
    return Person.objects.create(
        workspace=workspace, name="Linda Bakker", email="linda@bakkerco.example", language="nl"
    )
