"""One bad row holds up no other: every kind of worker step, with one row poisoned.

A row is poisoned by making the function its step calls raise for that row alone
(and call the real function for every other row). The pass must go on with the
next row, hold the poisoned one back, and try it again after its backoff.
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import make_appointment, make_promise
from tests.smtp import free_port
from verbind.followthrough import steps as followthrough_steps
from verbind.followthrough.models import Lapse, Repair
from verbind.messaging import delivery
from verbind.messaging import steps as messaging_steps
from verbind.messaging.enqueue import new_message_id
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.obligations.models import Appointment, Outcome
from verbind.obligations.models import AppointmentStatus as S
from verbind.people.models import Interaction
from verbind.scheduling import calendars
from verbind.scheduling import steps as scheduling_steps
from verbind.scheduling.models import Absence, Calendar, CalendarSource
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
AFTER_THE_BACKOFF = 2 * MINUTE  # the first failure holds a row back for one minute


@dataclass
class Dose:
    """The poison on one row: it makes the step's function raise for that row alone."""

    pk: object
    active: bool = True
    failures: int = 0

    def cure(self) -> None:
        self.active = False


def first_row(row, *args, **kwargs):
    return [row.pk]


@pytest.fixture
def poison(monkeypatch):
    """poison(module, "function", pk): that function raises RuntimeError for row *pk* only."""

    def apply(module, name: str, pk, pks_of=first_row) -> Dose:
        real = getattr(module, name)
        dose = Dose(pk)

        def poisoned(*args, **kwargs):
            if dose.active and dose.pk in pks_of(*args, **kwargs):
                dose.failures += 1
                raise RuntimeError(f"row {dose.pk} is poisoned")
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, poisoned)
        return dose

    return apply


def worker_with(name: str) -> Worker:
    """A real worker whose passes run only the step *name* (kept between passes, like its holds)."""
    worker = Worker()
    worker.steps = [worker.step(name)]
    return worker


def outbox_message(workspace, person, owner, key: str, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        workspace=workspace,
        purpose=Purpose.FOLLOW_UP,
        person=person,
        sender=owner,
        to_address=person.email,
        subject=f"Hello ({key})",
        body="Hello",
        idempotency_key=key,
        message_id=new_message_id(),
        **fields,
    )


def test_the_order_of_the_steps_is_the_order_they_state(db):
    done = Worker().run_pass()
    assert list(done) == [
        "handle_one_late_promise",
        "handle_one_unrecorded_lapse",
        "handle_one_escalation",
        "handle_one_digest",
        "handle_one_team_digest",
        "handle_one_introduction",
        "handle_one_sync",
        "handle_one_absence_warning",
        "handle_one_return",
        "handle_one_unanswered_visitor",
        "reap_one",
        "handle_one_nudge_step",
        "handle_one_send",
        "handle_one_webhook",
        "record_one_batch",
        "handle_one_old_walk_in",
        "refresh_search_index",
        "remove_stale_uploads",
        "forget_old_idempotent_answers",
    ]


def test_a_late_promise_that_fails_is_held_back_and_the_next_one_gets_its_repair(
    poison, person, owner, caplog
):
    older = make_promise(person, owner, due_in=timedelta(hours=-2), what="Call Hans back")
    newer = make_promise(person, owner, due_in=timedelta(hours=-1), what="Send the proposal")
    dose = poison(followthrough_steps, "promise_late", older.pk)
    worker = worker_with("handle_one_late_promise")
    now = timezone.now()

    assert worker.run_pass(now=now) == {"handle_one_late_promise": 2}
    assert Repair.objects.filter(lapse__promise=newer).exists()
    assert not Lapse.objects.filter(promise=older).exists()
    assert dose.failures == 1
    assert f"worker step handle_one_late_promise failed on row {older.pk}" in caplog.text

    # Right away it is not tried again: the step finds nothing to do.
    assert worker.step("handle_one_late_promise")(now) is False
    assert worker.run_pass(now=now) == {"handle_one_late_promise": 0}
    assert dose.failures == 1

    dose.cure()
    assert worker.run_pass(now=now + AFTER_THE_BACKOFF) == {"handle_one_late_promise": 1}
    repair = Repair.objects.get(lapse__promise=older)
    assert repair.lapse.occurred_at == older.due_at
    assert worker.step("handle_one_late_promise").held == {}
    assert Repair.objects.count() == 2


def test_an_unrecorded_lapse_that_fails_is_held_back_and_the_next_one_gets_its_repair(
    poison, person, owner
):
    now = timezone.now()
    first = make_appointment(person, owner, starts_in=timedelta(hours=-3), title="Site visit")
    second = make_appointment(person, owner, starts_in=timedelta(hours=-2), title="Lunch")
    # Set by an import, say: no transition, so no signal opened a repair.
    for meeting, closed in ((first, now - timedelta(hours=2)), (second, now - MINUTE)):
        Appointment.objects.filter(pk=meeting.pk).update(
            status=S.MISSED_BY_US, outcome=Outcome.BROKEN, closed_at=closed
        )
    assert not Lapse.objects.exists()
    dose = poison(followthrough_steps, "open_repair", first.pk)
    worker = worker_with("handle_one_unrecorded_lapse")

    assert worker.run_pass(now=now) == {"handle_one_unrecorded_lapse": 2}
    repair = Repair.objects.get()
    assert repair.lapse.appointment == second and repair.lapse.kind == "missed_by_us"
    assert worker.run_pass(now=now) == {"handle_one_unrecorded_lapse": 0}
    assert dose.failures == 1

    dose.cure()
    assert worker.run_pass(now=now + AFTER_THE_BACKOFF) == {"handle_one_unrecorded_lapse": 1}
    assert Repair.objects.filter(lapse__appointment=first).exists()


@pytest.fixture
def two_overdue_repairs(person, colleague):
    """Two meetings the colleague missed, an hour apart: two repairs, the first due first."""
    repairs = []
    for hours, title in ((2, "Site visit"), (1, "Lunch")):
        meeting = make_appointment(
            person, colleague, starts_in=-timedelta(hours=hours), title=title
        )
        with time_machine.travel(timezone.now() - timedelta(hours=hours) + MINUTE, tick=False):
            meeting.transition(S.MISSED_BY_US)
        repairs.append(Repair.objects.get(lapse__appointment=meeting))
    first, second = repairs
    assert first.deadline_at < second.deadline_at
    return first, second


def test_an_escalation_whose_mail_fails_does_not_stop_the_next_one(
    smtp, poison, two_overdue_repairs, owner
):
    first, second = two_overdue_repairs
    dose = poison(followthrough_steps, "_mail_escalation", first.pk)
    worker = worker_with("handle_one_escalation")
    now = second.deadline_at + MINUTE

    assert worker.run_pass(now=now) == {"handle_one_escalation": 2}
    second.refresh_from_db()
    assert (second.escalated_at, second.escalated_to) == (now, owner)
    [mail] = OutboxMessage.objects.filter(purpose=Purpose.ESCALATION)
    assert (mail.repair_id, mail.member, mail.state) == (second.pk, owner, State.QUEUED)
    assert dose.failures == 1
    assert worker.run_pass(now=now) == {"handle_one_escalation": 0}


def test_an_escalation_whose_mail_failed_is_sent_after_the_backoff(
    smtp, poison, two_overdue_repairs, owner
):
    first, second = two_overdue_repairs
    dose = poison(followthrough_steps, "_mail_escalation", first.pk)
    worker = worker_with("handle_one_escalation")
    now = second.deadline_at + MINUTE
    worker.run_pass(now=now)

    dose.cure()
    assert worker.run_pass(now=now + AFTER_THE_BACKOFF) == {"handle_one_escalation": 1}
    assert OutboxMessage.objects.filter(purpose=Purpose.ESCALATION, repair=first).exists()


@pytest.fixture
def two_members_due_a_digest(owner, colleague, person):
    """Both members' mornings came at 8:00 on 3 December, and both have a promise due."""
    morning = datetime(2026, 12, 3, 8, 0, tzinfo=AMS)
    memberships = [owner.memberships.get(), colleague.memberships.get()]
    with time_machine.travel(morning - timedelta(hours=1), tick=False):
        for membership in memberships:
            membership.time_zone, membership.digest_hour = "Europe/Amsterdam", 8
            membership.next_digest_at = morning
            membership.save()
            make_promise(person, membership.user, due_in=timedelta(hours=20), what="Send plans")
    return morning, *memberships


def test_a_digest_that_fails_does_not_stop_the_next_members_digest(
    smtp, poison, two_members_due_a_digest, colleague
):
    morning, first, second = two_members_due_a_digest
    assert first.pk < second.pk  # the same moment: the first row goes first
    dose = poison(followthrough_steps, "_mail_digest", first.pk)
    worker = worker_with("handle_one_digest")
    with time_machine.travel(morning, tick=False):
        assert worker.run_pass(now=morning) == {"handle_one_digest": 2}
        [digest] = OutboxMessage.objects.filter(purpose=Purpose.DIGEST)
        assert (digest.member, digest.state) == (colleague, State.QUEUED)
        assert "Send plans" in digest.body
        assert dose.failures == 1
        assert worker.run_pass(now=morning) == {"handle_one_digest": 0}
    second.refresh_from_db()
    assert second.next_digest_at == morning + DAY


def test_a_digest_that_failed_is_sent_after_the_backoff(
    smtp, poison, two_members_due_a_digest, owner
):
    morning, first, _second = two_members_due_a_digest
    dose = poison(followthrough_steps, "_mail_digest", first.pk)
    worker = worker_with("handle_one_digest")
    with time_machine.travel(morning, tick=False):
        worker.run_pass(now=morning)
    dose.cure()
    later = morning + AFTER_THE_BACKOFF
    with time_machine.travel(later, tick=False):
        assert worker.run_pass(now=later) == {"handle_one_digest": 1}
    assert OutboxMessage.objects.filter(purpose=Purpose.DIGEST, member=owner).exists()


def test_an_absence_warning_that_fails_does_not_stop_the_next_hosts_warning(
    smtp, poison, person, owner, colleague, workspace
):
    now = timezone.now()
    start = (now + 21 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    for member in (owner, colleague):
        Absence.objects.create(
            workspace=workspace,
            membership=member.memberships.get(),
            starts_at=start,
            ends_at=start + 7 * DAY,
            note="Leave",
        )
    first = make_appointment(person, owner, starts_in=22 * DAY, title="Showroom visit")
    second = make_appointment(person, colleague, starts_in=23 * DAY, title="Price talk")
    dose = poison(scheduling_steps, "warn_host", first.pk)
    worker = worker_with("handle_one_absence_warning")

    assert worker.run_pass(now=now) == {"handle_one_absence_warning": 2}
    [warning] = OutboxMessage.objects.filter(purpose=Purpose.ABSENCE)
    assert (warning.appointment, warning.member) == (second, colleague)
    assert "Price talk" in warning.subject
    assert worker.run_pass(now=now) == {"handle_one_absence_warning": 0}
    assert dose.failures == 1

    dose.cure()
    assert worker.run_pass(now=now + AFTER_THE_BACKOFF) == {"handle_one_absence_warning": 1}
    assert OutboxMessage.objects.filter(
        purpose=Purpose.ABSENCE, appointment=first, member=owner
    ).exists()


def test_a_stale_claim_that_cannot_be_freed_does_not_keep_the_next_one_claimed(
    poison, workspace, person, owner
):
    now = timezone.now()
    stale = [
        outbox_message(
            workspace,
            person,
            owner,
            f"stale-{n}",
            state=State.SENDING,
            claimed_by="dead-worker:1",
            claimed_until=now - n * MINUTE,
            attempts=1,
        )
        for n in (2, 1)
    ]
    first, second = stale
    dose = poison(delivery, "reap", first.pk, pks_of=lambda pk, now: [pk])
    worker = worker_with("reap_one")

    assert worker.run_pass(now=now) == {"reap_one": 2}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.state, second.claimed_by, second.next_attempt_at) == (State.QUEUED, "", now)
    assert first.state == State.SENDING
    assert worker.run_pass(now=now) == {"reap_one": 0}
    assert dose.failures == 1

    dose.cure()
    later = now + AFTER_THE_BACKOFF
    assert worker.run_pass(now=later) == {"reap_one": 1}
    first.refresh_from_db()
    assert (first.state, first.next_attempt_at) == (State.QUEUED, later)


def test_a_sent_message_whose_effects_fail_does_not_stop_the_next_one_being_recorded(
    poison, workspace, person, owner
):
    now = timezone.now()
    first, second = (
        outbox_message(
            workspace, person, owner, f"sent-{n}", state=State.SENT, sent_at=now - n * MINUTE
        )
        for n in (10, 5)
    )
    dose = poison(messaging_steps, "record_effects", first.pk, pks_of=lambda ids: ids)
    worker = worker_with("record_one_batch")

    assert worker.run_pass(now=now) == {"record_one_batch": 2}
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.recorded_at is not None and first.recorded_at is None
    [entry] = Interaction.objects.filter(person=person, direction="outbound")
    assert entry.occurred_at == second.sent_at
    assert worker.run_pass(now=now) == {"record_one_batch": 0}
    assert dose.failures == 1

    dose.cure()
    assert worker.run_pass(now=now + AFTER_THE_BACKOFF) == {"record_one_batch": 1}
    first.refresh_from_db()
    assert first.recorded_at is not None
    assert Interaction.objects.filter(person=person, direction="outbound").count() == 2


@pytest.fixture
def feed_server():
    """A local ICS feed with one meeting tomorrow, served from a thread."""
    tomorrow = (timezone.now() + DAY).astimezone(UTC).replace(microsecond=0)
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:tomorrow\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Team meeting\r\n"
        f"DTSTART:{tomorrow:%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{tomorrow + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/cal.ics"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)  # calendars are read in the worker's own threads
def test_a_calendar_whose_reading_breaks_does_not_stop_the_next_calendar(
    poison, owner, workspace, feed_server, caplog
):
    host = owner.memberships.get()
    now = timezone.now()
    first, second = (
        Calendar.objects.create(
            membership=host,
            name=name,
            source=CalendarSource.FEED,
            url=feed_server,
            next_sync_at=now - n * MINUTE,
        )
        for name, n in (("Broken", 2), ("Work", 1))
    )
    dose = poison(calendars, "sync", first.pk)

    assert worker_with("handle_one_sync").run_pass(now=now) == {"handle_one_sync": 2}
    second.refresh_from_db()
    assert second.last_error == "" and second.last_synced_at is not None
    assert list(second.blocks.values_list("summary", flat=True)) == ["Team meeting"]
    first.refresh_from_db()
    assert first.last_synced_at is None and not first.blocks.exists()
    assert first.next_sync_at > now  # claimed: not read again at once
    assert dose.failures == 1
    assert f"reading calendar {first.pk} failed" in caplog.text
