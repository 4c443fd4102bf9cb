"""Messages through the outbox, read back from a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import make_appointment
from verbind.followthrough import actions
from verbind.followthrough.models import Repair
from verbind.messaging import delivery, outage, outbox
from verbind.messaging.links import links_for
from verbind.messaging.models import OutboxMessage, State
from verbind.messaging.steps import Reaper
from verbind.obligations.models import AppointmentStatus as S
from verbind.people.models import Interaction
from verbind.worker.loop import Worker


@pytest.fixture
def membership(owner, workspace):
    return owner.memberships.get()


@pytest.fixture
def missed(person, owner):
    meeting = make_appointment(
        person,
        owner,
        starts_in=-timedelta(minutes=30),
        title="Coffee at his office",
        place="Amersfoort",
    )
    meeting.transition(S.MISSED_BY_US)
    return meeting


def apology(membership, missed):
    return actions.draft(
        membership, actions.find_item(membership, f"repair:appointment:{missed.pk}")
    )


def test_a_draft_apology_names_the_meeting_in_their_language_with_dates(membership, missed, person):
    person.language = "nl"
    person.save()
    message = apology(membership, missed)
    assert message.state == State.DRAFT
    assert message.subject == "Coffee at his office — mijn excuses"
    assert message.body.startswith("Beste Hans,")
    assert "Amersfoort" in message.body and "Past een van deze momenten jou?" in message.body
    assert len(message.next_step.times) == 3
    assert apology(membership, missed) == message  # opening it again gives the same draft


def test_sent_by_the_worker_through_smtp_closes_the_repair(smtp, membership, missed, person, owner):
    person.language = "en"
    person.save()
    message = apology(membership, missed)
    assert outbox.send(message, by=owner) == State.QUEUED
    Worker().run_pass()
    [received] = smtp.messages
    assert received["Message-ID"] == message.message_id
    assert received["To"] == "hans@verbeek.example"
    assert "Coffee at his office" in received["Subject"]
    assert "Would one of these times suit you?" in received.get_content()
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 1)
    repair = Repair.objects.get()
    assert (repair.state, repair.closed_because) == ("closed", "sent")
    assert repair.first_contact_at == message.sent_at
    [entry] = Interaction.objects.filter(person=person)
    assert (entry.workspace_id, entry.member_id) == (message.workspace_id, owner.pk)
    assert (entry.kind, entry.direction, entry.channel) == ("email", "outbound", "email")
    assert entry.occurred_at == message.sent_at
    assert entry.notes == f"{message.subject}\n\n{message.body}".strip()
    Worker().run_pass()
    assert len(smtp.messages) == 1  # never twice
    assert Interaction.objects.filter(person=person).count() == 1


def test_an_apology_without_a_next_step_leaves_the_repair_open(smtp, membership, missed, owner):
    message = apology(membership, missed)
    outbox.revise(
        message,
        subject=message.subject,
        body="Sorry!",
        channel="email",
        times=[],
        zone=membership.zone,
    )
    outbox.send(message, by=owner)
    Worker().run_pass()
    repair = Repair.objects.get()
    assert repair.state == "open" and repair.apology_sent_at is not None
    assert repair.next_step_sent_at is None


def test_changing_the_proposed_times_rewrites_them_in_the_message(membership, missed, owner):
    from django.utils import timezone

    message = apology(membership, missed)
    new = [timezone.now() + timedelta(days=10, hours=h) for h in (0, 2)]
    outbox.revise(
        message,
        subject=message.subject,
        body=message.body,
        channel="email",
        times=new,
        zone=membership.zone,
    )
    assert message.body.count("  – ") == 2
    assert len(message.next_step.times) == 2


def test_without_smtp_the_message_waits_with_links_and_counts_when_marked_sent(
    membership, missed, owner, person
):
    message = apology(membership, missed)
    assert outbox.send(message, by=owner) == State.READY
    links = links_for(message)
    assert links["email"].startswith("mailto:hans@verbeek.example?subject=")
    Worker().run_pass()
    message.refresh_from_db()
    assert message.state == State.READY  # the worker leaves it to the member
    outbox.mark_sent(message, by=owner)
    assert Repair.objects.get().state == "closed"
    with pytest.raises(outbox.OutboxRefused):
        outbox.mark_sent(message, by=owner)


def test_whatsapp_link_carries_the_text(membership, missed, person):
    person.phone = "+31612345678"
    person.save()
    message = apology(membership, missed)
    assert links_for(message)["whatsapp"].startswith("https://wa.me/31612345678?text=Beste%20Hans")


def test_a_server_that_is_down_means_a_retry_later_not_a_lost_message(
    settings, membership, missed, owner
):
    from tests.smtp import SmtpServer, free_port

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS = False
    message = apology(membership, missed)
    outbox.send(message, by=owner)
    Worker().run_pass()
    message.refresh_from_db()
    # The server's outage, not the message's fault: no attempt used, its place kept.
    assert message.state == State.QUEUED and message.attempts == 0
    assert "Could not reach the mail server" in message.last_error
    down = outage.current()
    assert down is not None and down.next_try_at > down.started_at
    Worker().run_pass()  # before the next try: the server is left alone
    assert outage.current().tries == 1
    with SmtpServer() as server:
        settings.EMAIL_PORT = server.port
        Worker().run_pass(now=down.next_try_at)
        assert len(server.inbox.messages) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 1)
    assert outage.current() is None


def test_a_refused_address_fails_for_good_and_says_why(settings, membership, missed, owner, person):
    from tests.smtp import SmtpServer

    with SmtpServer(refuse={"hans@verbeek.example"}) as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        message = apology(membership, missed)
        outbox.send(message, by=owner)
        Worker().run_pass()
    message.refresh_from_db()
    assert message.state == State.FAILED
    assert "refused" in message.last_error
    assert Repair.objects.get().state == "open"  # still owed: the agenda keeps it


def test_backoff_grows_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert delivery.backoff(30) == timedelta(hours=6)


def test_a_claim_whose_worker_died_is_freed_after_the_lease(
    smtp, settings, membership, missed, owner
):
    from django.utils import timezone

    message = apology(membership, missed)
    outbox.send(message, by=owner)
    claimed = delivery.claim_next(timezone.now(), "dead-worker")
    assert claimed.pk == message.pk
    assert delivery.claim_next(timezone.now(), "other") is None  # nobody else may take it
    assert Reaper()(timezone.now()) is False  # the lease still holds
    later = timezone.now() + timedelta(seconds=settings.WORKER_LEASE_SECONDS + 1)
    assert Reaper()(later) is True
    assert delivery.claim_next(later, "other").pk == message.pk


def test_a_message_in_the_drafts_cannot_be_sent_twice(membership, missed, owner):
    message = apology(membership, missed)
    outbox.send(message, by=owner)
    with pytest.raises(outbox.OutboxRefused):
        outbox.send(message, by=owner)
    assert OutboxMessage.objects.count() == 1
