"""Webhooks: registered through the API, delivered by the worker to a real HTTP server with
a signature the receiver checks, retried with backoff, paused after a day of failing (the
owners told), and refused for addresses inside the server's network."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.hooks.models import Delivery, Endpoint
from verbind.hooks.signing import HEADER, verify
from verbind.messaging.models import OutboxMessage, Purpose
from verbind.obligations.models import AppointmentStatus
from verbind.worker.loop import Worker

pytestmark = pytest.mark.django_db


class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps what it receives and answers *status*."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.received.append((dict(self.headers), body))
                self.send_response(owner.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/verbind"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def local_hooks(settings):
    settings.WEBHOOK_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT = 5


def _missed(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
    meeting.transition(AppointmentStatus.MISSED_BY_US, by=owner)
    return meeting


def test_a_broken_meeting_is_told_to_the_receiver_signed_once(
    api, person, owner, receiver, local_hooks
):
    made = api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["repair.opened"]})
    assert made.status_code == 201, made.content
    secret = made.json()["secret"]
    assert "secret" not in api.get("/api/v1/webhooks").json()[0]
    meeting = _missed(person, owner)
    Worker().run_pass()
    Worker().run_pass()  # delivered once: a second pass sends nothing more
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert headers["Verbind-Event"] == "repair.opened"
    assert verify(secret, body, headers[HEADER], int(timezone.now().timestamp()))
    assert not verify("whsec_wrong", body, headers[HEADER], int(timezone.now().timestamp()))
    assert not verify(secret, body + b" ", headers[HEADER], int(timezone.now().timestamp()))
    later = int(timezone.now().timestamp()) + 3600
    assert not verify(secret, body, headers[HEADER], later)  # an old signature is refused
    payload = json.loads(body)
    assert payload["event"] == "repair.opened" and payload["data"]["appointment_id"] == meeting.pk
    assert payload["data"]["member_id"] == owner.pk
    deliveries = api.get(f"/api/v1/webhooks/{made.json()['id']}/deliveries").json()
    assert [(d["state"], d["last_status"]) for d in deliveries] == [("delivered", 200)]


def test_only_the_events_asked_for_are_sent(api, person, owner, receiver, local_hooks):
    api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["appointment.cancelled_by_us"]})
    _missed(person, owner)
    meeting = make_appointment(person, owner)
    meeting.transition(AppointmentStatus.CANCELLED_BY_US, by=owner)
    Worker().run_pass()
    assert [json.loads(body)["event"] for _h, body in receiver.received] == [
        "appointment.cancelled_by_us"
    ]


def test_a_failing_receiver_is_retried_then_paused_and_the_owner_told(
    api, person, owner, receiver, local_hooks, settings
):
    settings.EMAIL_HOST = "localhost"  # mail to members is written only with a mail server
    hook = api.post("/api/v1/webhooks", {"url": receiver.url, "events": ["repair.opened"]}).json()
    receiver.status = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _missed(person, owner)
        Worker().run_pass()
    assert len(receiver.received) == 1
    delivery = Delivery.objects.get()
    assert delivery.state == "waiting" and delivery.last_status == 500
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        Worker().run_pass()
    assert len(receiver.received) == 1  # not before its backoff
    tries = 1
    moment = start
    while moment < start + timedelta(hours=31):  # tries back off to six hours apart
        moment += timedelta(hours=1)
        with time_machine.travel(moment, tick=False):
            Worker().run_pass()
        tries = len(receiver.received)
    endpoint = Endpoint.objects.get(pk=hook["id"])
    assert endpoint.paused and 3 <= tries <= 30
    told = OutboxMessage.objects.filter(purpose=Purpose.WEBHOOK)
    assert told.count() == 1 and receiver.url in told.get().body
    with time_machine.travel(moment + timedelta(hours=5), tick=False):
        Worker().run_pass()
    assert len(receiver.received) == tries  # paused: nobody is bothered
    receiver.status = 204
    resumed = api.post(f"/api/v1/webhooks/{hook['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
    Worker().run_pass()
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.last_status == 204


def test_addresses_inside_the_servers_network_and_plain_http_are_refused(api):
    for url in ("http://127.0.0.1:8000/hook", "https://127.0.0.1/hook", "https://10.1.2.3/x",
                "https://[::1]/x", "ftp://example.org/x", "not an address"):
        refused = api.post("/api/v1/webhooks", {"url": url, "events": ["repair.opened"]})
        assert refused.status_code == 422, (url, refused.content)
    unknown = api.post(
        "/api/v1/webhooks", {"url": "https://example.org/x", "events": ["everything"]}
    )
    assert unknown.status_code == 422 and "everything" in unknown.json()["message"]
    assert not Endpoint.objects.exists()


def test_the_webhooks_page_adds_one_and_shows_its_secret_once(web, receiver, local_hooks):
    page = web.post(
        "/settings/webhooks/",
        {"url": receiver.url, "events": ["repair.opened", "visitor.checked_in"]},
        follow=True,
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in page.content.decode()
    assert endpoint.secret not in web.get("/settings/webhooks/").content.decode()
    web.post(f"/settings/webhooks/{endpoint.pk}/remove/")
    assert not Endpoint.objects.exists()


@override_settings(WEBHOOK_PRIVATE_ADDRESSES=False)
def test_a_member_cannot_manage_webhooks(colleague, workspace):
    from django.test import Client

    member = Client()
    member.force_login(colleague)
    assert member.get("/settings/webhooks/").status_code == 403
