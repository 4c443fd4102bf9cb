"""A mail server that is down for longer than the whole retry schedule fails nothing:
messages wait in their place, go out oldest first when it is back, and the owner
and managers hear of it once. Only a permanent refusal of one message fails it.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.faults.conftest import queue
from tests.smtp import Inbox, SmtpServer, free_port
from verbind.messaging import outage
from verbind.messaging.models import MailOutage, OutboxMessage, Purpose, State
from verbind.worker.loop import Worker
from verbind.workspaces.accounts import make_user
from verbind.workspaces.models import Membership, Role

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def point_at(settings, port: int) -> None:
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def manager(workspace):
    user = make_user("maria@example.org", "Maria Manager", "x")
    Membership.objects.create(workspace=workspace, user=user, role=Role.MANAGER)
    return user


def test_a_mail_server_down_for_eight_hours_fails_nothing_and_the_owner_is_told_once(
    settings, workspace, owner, manager, colleague, person, figure
):
    point_at(settings, free_port())  # nothing listens there: connection refused
    worker = Worker(send_connections=1)  # one connection, so arrival order is sending order
    with time_machine.travel(START, tick=False) as clock:
        expected = queue(person, 10)  # waiting when the server went down
        passes = 0
        # Eight hours, far past the old schedule (8 attempts, about 2 hours), a pass
        # every 10 minutes; people go on queueing mail meanwhile.
        for step in range(48):
            clock.shift(timedelta(minutes=10))
            if step % 8 == 0:
                expected += queue(person, 5, first=len(expected))
            worker.run_pass()
            passes += 1
            assert not OutboxMessage.objects.filter(state=State.FAILED).exists()
        assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {0}
        down = outage.current()
        assert down is not None and down.started_at == START + timedelta(minutes=10)
        assert "Could not reach the mail server" in down.last_error
        tries = down.tries
        with SmtpServer() as server:
            settings.EMAIL_PORT = server.port
            clock.move_to(down.next_try_at)
            worker.run_pass()
            worker.run_pass()  # a second pass tells nobody twice
            received = server.inbox.message_ids()
            notices = [m for m in server.inbox.messages if "going out again" in m["Subject"]]
    assert passes == 48 and tries >= 10
    waited = received[: len(expected)]
    assert waited == expected  # every one, each once, oldest first
    assert sorted(str(m["To"]) for m in notices) == [manager.email, owner.email]
    assert len(received) == len(expected) + 2  # the notices came last; nobody else heard
    assert f"{len(expected)} messages of your workspace waited" in notices[0].get_content()
    assert OutboxMessage.objects.filter(state=State.SENT).count() == len(expected) + 2
    assert MailOutage.objects.get().ended_at is not None
    assert OutboxMessage.objects.filter(purpose=Purpose.NOTICE).count() == 2
    figure(
        f"SMTP down 8 h (48 passes, {tries} tries of the server): 0 failed, 0 attempts used, "
        f"{len(waited)}/{len(expected)} delivered oldest first when back, "
        f"{len(notices)} notices (owner and manager, once; not the member)"
    )


def test_a_short_outage_tells_nobody(settings, workspace, owner, person):
    point_at(settings, free_port())
    with time_machine.travel(START, tick=False) as clock:
        expected = queue(person, 3)
        Worker().run_pass()
        assert outage.current() is not None
        with SmtpServer() as server:
            settings.EMAIL_PORT = server.port
            clock.shift(timedelta(minutes=20))
            Worker().run_pass()
            assert sorted(server.inbox.message_ids()) == sorted(expected)
    assert outage.current() is None
    assert not OutboxMessage.objects.filter(purpose=Purpose.NOTICE).exists()


class Picky(Inbox):
    """Refuses one address for good (550), defers another (450) and a third one's mail
    (451 after DATA), takes the rest."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "relation1@example.org":
            return "550 5.1.1 No such user here"
        if address == "relation2@example.org":
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if "relation3@example.org" in envelope.rcpt_tos:
            return "451 4.3.0 Not this one yet"
        return await super().handle_DATA(server, session, envelope)


def test_only_a_permanent_refusal_fails_a_message_and_the_member_can_try_it_again(
    settings, workspace, owner, person, web, figure
):
    server = SmtpServer()
    server.inbox = server.controller.handler = Picky()
    with server, time_machine.travel(START, tick=False) as clock:
        point_at(settings, server.port)
        queue(person, 5)
        Worker().run_pass()
        refused = OutboxMessage.objects.get(to_address="relation1@example.org")
        deferred = OutboxMessage.objects.get(to_address="relation2@example.org")
        assert refused.state == State.FAILED
        assert "550 5.1.1 No such user here" in refused.last_error
        for _ in range(20):  # a server that defers one address for days fails it never
            clock.shift(timedelta(hours=6, minutes=1))
            Worker().run_pass()
        deferred.refresh_from_db()
        assert deferred.state == State.QUEUED and "450" in deferred.last_error
        not_yet = OutboxMessage.objects.get(to_address="relation3@example.org")
        assert not_yet.state == State.QUEUED and "451" in not_yet.last_error
        assert len(server.inbox.messages) == 2
        assert outage.current() is None  # the server was up all along: nothing held up

        page = web.get(reverse("message", args=[refused.pk])).content.decode()
        assert "Not sent: The mail server refused the address relation1@example.org" in page
        assert "Try again" in page
        dutch = web.get(reverse("message", args=[refused.pk]), HTTP_ACCEPT_LANGUAGE="nl")
        assert "Opnieuw proberen" in dutch.content.decode()

        server.inbox.__class__ = Inbox  # the address exists again
        server.inbox.refuse = set()
        web.post(reverse("message_retry", args=[refused.pk]))
        Worker().run_pass()
    refused.refresh_from_db()
    assert refused.state == State.SENT and len(server.inbox.messages) == 3
    figure(
        "5xx for one address: that one failed with the server's answer, the 2 others "
        f"delivered, Try again sent it; 4xx for one address and 4xx for one mail: still "
        f"waiting after {deferred.attempts} tries over 5 days, never failed, no outage"
    )


def test_the_outbox_page_says_the_mail_server_is_down_in_english_and_dutch(
    settings, workspace, owner, person, web
):
    point_at(settings, free_port())
    queue(person, 2)
    Worker().run_pass()
    english = web.get(reverse("outbox")).content.decode()
    assert "The mail server cannot be reached since" in english
    assert "nothing is lost" in english
    dutch = web.get(reverse("outbox"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "De mailserver is niet bereikbaar sinds" in dutch


@pytest.mark.django_db(transaction=True)
def test_verbind_worker_says_the_mail_server_is_down_and_when_it_is_back(person):
    from tests.processes import verbind
    from verbind.worker.management.commands.worker import MailWatch

    port = free_port()
    queue(person, 2)
    env = {"VERBIND_SMTP_HOST": "127.0.0.1", "VERBIND_SMTP_PORT": str(port),
           "VERBIND_SMTP_STARTTLS": "0", "VERBIND_SMTP_SSL": "0"}
    run = verbind("worker", "--once", extra_env=env, stdout=subprocess.PIPE, text=True)
    out, _ = run.communicate(timeout=120)
    assert run.returncode == 0
    assert "The mail server is down since" in out and "go out oldest first" in out

    lines = []
    watch = MailWatch(lines.append)  # what the running worker prints after each pass
    watch({})
    watch({})  # said once, not every pass
    assert len(lines) == 1 and "down since" in lines[0]
    outage.server_up(outage.current().started_at + timedelta(minutes=90))
    watch({})
    assert lines[1] == "The mail server is back after 90 min; sending what waited."
