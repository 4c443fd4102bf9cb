"""The worker turns the passage of time into state and sends what is due.

Its loop is a list of ``handle_one_*`` steps. Each looks for one piece of work,
claims it with a compare-and-set (so two workers never both do it), does it, and
says whether it found any. A pass drains every step; then the worker sleeps.
Tests call the steps directly, with no threads and no sleeping.
"""

from __future__ import annotations

import logging
import threading
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from time import monotonic

from django import db
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation

from verbind.followthrough.agenda import agenda_for, sections
from verbind.followthrough.models import Lapse, LapseKind, Repair, RepairState
from verbind.followthrough.repairs import escalation_target, lapse_kind, open_repair
from verbind.messaging import delivery
from verbind.messaging.channels import email
from verbind.messaging.channels.smtp_pool import SmtpPool
from verbind.messaging.drafts import local_text, new_message_id, render
from verbind.messaging.models import OutboxMessage, Purpose, State
from verbind.messaging.outbox import record_effects
from verbind.obligations.models import Appointment, Outcome, Promise
from verbind.scheduling import calendars
from verbind.scheduling.absences import handle_one_warning as handle_one_absence_warning
from verbind.workspaces.models import Membership

log = logging.getLogger(__name__)


def handle_one_late_promise(now) -> bool:
    """A promise whose time passed unkept becomes a lapse with an open repair."""
    late = (
        Promise.objects.filter(outcome=Outcome.OPEN, due_at__lte=now)
        .exclude(
            Exists(Lapse.objects.filter(promise=OuterRef("pk"), occurred_at=OuterRef("due_at")))
        )
        .select_related("workspace", "person", "owner")
        .order_by("due_at", "id")
        .first()
    )
    if late is None:
        return False
    open_repair(late, LapseKind.PROMISE_LATE, occurred_at=late.due_at)
    return True


def handle_one_unrecorded_lapse(now) -> bool:
    """A meeting broken on our side without a repair (set by an import, say) gets one."""
    broken = (
        Appointment.objects.filter(outcome=Outcome.BROKEN)
        .exclude(Exists(Lapse.objects.filter(appointment=OuterRef("pk"))))
        .select_related("workspace", "person", "owner")
        .order_by("closed_at", "id")
        .first()
    )
    if broken is None:
        return False
    open_repair(broken, lapse_kind(broken), occurred_at=broken.closed_at or now)
    return True


def handle_one_escalation(now) -> bool:
    """A repair past its deadline goes to the owner's backup or a manager, once."""
    repair = (
        Repair.objects.filter(
            state=RepairState.OPEN, next_check_at__lte=now, escalated_at__isnull=True
        )
        .select_related("person", "owner", "lapse__appointment", "lapse__promise", "workspace")
        .order_by("next_check_at", "id")
        .first()
    )
    if repair is None:
        return False
    target = escalation_target(repair)
    try:
        claimed = Repair.objects.filter(pk=repair.pk, escalated_at__isnull=True).update(
            escalated_at=now, escalated_to=target, next_check_at=None
        )
        if claimed:
            _queue_escalation_mail(repair, target)
    except Exception:
        # One bad row must not stall the worker: look again in an hour.
        Repair.objects.filter(pk=repair.pk).update(next_check_at=now + timedelta(hours=1))
        raise
    return True


def _queue_escalation_mail(repair: Repair, target) -> None:
    if not (email.configured() and target.email):
        return
    membership = Membership.objects.filter(workspace_id=repair.workspace_id, user=target).first()
    zone = zoneinfo.ZoneInfo(membership.time_zone if membership else settings.TIME_ZONE)
    language = membership.language if membership else settings.LANGUAGE_CODE
    from verbind.followthrough.rules.repairs import repair_reason

    with translation.override(language):
        why = repair_reason(repair)
    subject, body = render(
        "escalation",
        language,
        {
            "first_name": target.first_name or target.email,
            "owner_name": repair.owner.get_full_name() or repair.owner.email,
            "person": repair.person,
            "deadline": local_text(repair.deadline_at, language, zone),
            "why": why,
            "url": site_url("/"),
        },
    )
    queue_member_mail(
        f"escalation:{repair.pk}",
        repair.workspace_id,
        target,
        Purpose.ESCALATION,
        language,
        subject,
        body,
        repair=repair,
    )


def queue_member_mail(
    key, workspace_id, member, purpose, language, subject, body, repair=None, appointment=None
):
    """A mail to a colleague (digest, escalation, absence warning), queued once per key."""
    OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults=dict(
            workspace_id=workspace_id,
            purpose=purpose,
            state=State.QUEUED,
            member=member,
            repair=repair,
            appointment=appointment,
            language=language,
            to_address=member.email,
            subject=subject,
            body=body,
            message_id=new_message_id(),
            next_attempt_at=timezone.now(),
        ),
    )


def site_url(path: str) -> str:
    return settings.SITE_URL + path


def next_morning(after: datetime, hour: int, zone: zoneinfo.ZoneInfo) -> datetime:
    """The next moment it is *hour* o'clock in *zone*, strictly after *after*."""
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour), zone)
    if candidate <= after:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour), zone)
    return candidate


def handle_one_digest(now) -> bool:
    """At each member's morning hour, in their own zone, queue their digest of what is due."""
    membership = (
        Membership.objects.filter(Q(next_digest_at__lte=now) | Q(next_digest_at__isnull=True))
        .select_related("workspace", "user")
        .order_by("next_digest_at", "id")
        .first()
    )
    if membership is None:
        return False
    zone = zoneinfo.ZoneInfo(membership.time_zone)
    following = next_morning(now, membership.digest_hour, zone)
    claimed = Membership.objects.filter(
        pk=membership.pk, next_digest_at=membership.next_digest_at
    ).update(next_digest_at=following)
    if claimed and membership.next_digest_at is not None:
        _queue_digest(membership, zone, now)
    return True


def _queue_digest(membership: Membership, zone, now) -> None:
    user = membership.user
    if not (email.configured() and user.email):
        return
    items = agenda_for(membership, now)
    if not items:
        return
    language = membership.language
    for item in items:
        item.due_local = local_text(item.due_by, language, zone)
    subject, body = render(
        "digest",
        language,
        {
            "first_name": user.first_name or user.email,
            "items": items,
            "sections": sections(items),
            "url": site_url("/"),
        },
    )
    day = now.astimezone(zone).date().isoformat()
    queue_member_mail(
        f"digest:{membership.pk}:{day}",
        membership.workspace_id,
        user,
        Purpose.DIGEST,
        language,
        subject,
        body,
    )


CALENDAR_READERS = 4


def _read_calendar(calendar, now) -> None:
    try:
        calendars.sync_claimed(calendar, now)
    except Exception:
        log.exception("reading calendar %s failed", calendar.pk)
    finally:
        db.connection.close()  # this thread's own connection


class Worker:
    """One worker process (or thread). Several may run against one database."""

    def __init__(self, send_connections: int | None = None):
        self.claimant = delivery.worker_id()
        self.connections = send_connections or settings.WORKER_SEND_CONNECTIONS
        self.pool: SmtpPool | None = None
        self.readers: ThreadPoolExecutor | None = None
        self.steps = [
            handle_one_late_promise,
            handle_one_unrecorded_lapse,
            handle_one_escalation,
            handle_one_digest,
            self.handle_one_sync,
            handle_one_absence_warning,
            delivery.reap_one,
            self.handle_one_send,
            delivery.record_one_batch,
        ]

    def handle_one_sync(self, now) -> bool:
        """Claim a calendar due to be read and read it in the background.

        Reading a feed or CalDAV server can take seconds; meanwhile this pass goes on
        sending mail. The pass waits for its readers before it ends.
        """
        calendar = calendars.claim_one(now)
        if calendar is None:
            return False
        if self.readers is None:
            self.readers = ThreadPoolExecutor(CALENDAR_READERS, thread_name_prefix="calendar")
        self.readers.submit(_read_calendar, calendar, now)
        return True

    def handle_one_send(self, now) -> bool:
        """Send one batch of due messages; stop early, giving the rest back, well within the lease."""
        batch = delivery.claim_batch(now, self.claimant)
        if not batch:
            return False
        if not email.configured():  # queued while SMTP was set up; wait until it is again
            delivery.release(batch)
            return False
        if self.pool is None:
            self.pool = SmtpPool(self.connections)
        # Nothing is started after half the lease, so no claim can run out mid-send.
        deadline = monotonic() + delivery.lease().total_seconds() / 2
        sent, untried = [], []
        # Each result is written down the moment the server has answered.
        for message, error, tried in self.pool.send_many(batch, deadline):
            if not tried:
                untried.append(message)
            elif delivery.record_result(message, error, now):
                sent.append(message.pk)
        delivery.release(untried)
        record_effects(sent)
        return True

    def close(self, readers: bool = True) -> None:
        """Let go of the mail connections; with *readers*, wait for calendars being read."""
        if readers and self.readers is not None:
            self.readers.shutdown(wait=True)
            self.readers = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def run_pass(
        self, now=None, stop: threading.Event | None = None, wait_for_readers: bool = True
    ) -> dict[str, int]:
        """Drain every step once; returns how much work each step did.

        A pass on its own (``--once``, tests) ends when its calendars are read. The
        running worker does not wait for them: a slow calendar server holds up no mail.
        """
        done: dict[str, int] = {}
        for step in self.steps:
            name = getattr(step, "__name__", str(step))
            count = 0
            while not (stop and stop.is_set()):
                try:
                    found = step(now or timezone.now())
                except Exception:
                    log.exception("worker step %s failed; going on with the next step", name)
                    break
                if not found:
                    break
                count += 1
            done[name] = count
        self.close(readers=wait_for_readers)
        return done

    def run_forever(self, stop: threading.Event, idle_seconds: float = 5.0) -> None:
        try:
            while not stop.is_set():
                self.run_pass(stop=stop, wait_for_readers=False)
                stop.wait(idle_seconds)
        finally:
            self.close()
