"""Followthrough's worker steps: late promises and unrecorded lapses become repairs,
overdue repairs escalate, and each member gets their morning digest."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from verbind.followthrough.agenda import agenda_for, sections
from verbind.followthrough.models import Lapse, Repair, RepairState
from verbind.followthrough.repairs import escalation_target, lapse_kind, open_repair, promise_late
from verbind.followthrough.rules.repairs import repair_reason
from verbind.lib.steps import RowStep
from verbind.messaging import keys
from verbind.messaging.channels import email
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Purpose
from verbind.obligations.models import Appointment, Outcome, Promise
from verbind.workspaces.models import Membership


class LatePromises(RowStep):
    """A promise whose time passed unkept becomes a lapse with an open repair."""

    name = "handle_one_late_promise"
    order = 10

    def due(self, now):
        return (
            Promise.objects.filter(outcome=Outcome.OPEN, due_at__lte=now)
            .exclude(
                Exists(
                    Lapse.objects.filter(promise=OuterRef("pk"), occurred_at=OuterRef("due_at"))
                )
            )
            .select_related("workspace", "person", "owner")
            .order_by("due_at", "id")
        )

    def handle(self, promise, now):
        promise_late(promise)


class UnrecordedLapses(RowStep):
    """A meeting broken on our side without a repair (set by an import, say) gets one."""

    name = "handle_one_unrecorded_lapse"
    order = 20

    def due(self, now):
        return (
            Appointment.objects.filter(outcome=Outcome.BROKEN)
            .exclude(Exists(Lapse.objects.filter(appointment=OuterRef("pk"))))
            .select_related("workspace", "person", "owner")
            .order_by("closed_at", "id")
        )

    def handle(self, meeting, now):
        open_repair(meeting, lapse_kind(meeting), occurred_at=meeting.closed_at or now)


class Escalations(RowStep):
    """A repair past its deadline goes to the owner's backup or a manager, once."""

    name = "handle_one_escalation"
    order = 30

    def due(self, now):
        return (
            Repair.objects.filter(
                state=RepairState.OPEN, next_check_at__lte=now, escalated_at__isnull=True
            )
            .select_related("person", "owner", "lapse__appointment", "lapse__promise", "workspace")
            .order_by("next_check_at", "id")
        )

    @transaction.atomic  # the claim and its mail together: a failed mail leaves it due
    def handle(self, repair, now):
        target = escalation_target(repair)
        claimed = Repair.objects.filter(pk=repair.pk, escalated_at__isnull=True).update(
            escalated_at=now, escalated_to=target, next_check_at=None
        )
        if claimed:
            _mail_escalation(repair, target)


def _mail_escalation(repair: Repair, target) -> None:
    membership = Membership.objects.filter(workspace_id=repair.workspace_id, user=target).first()
    zone = zoneinfo.ZoneInfo(membership.time_zone if membership else settings.TIME_ZONE)
    language = membership.language if membership else settings.LANGUAGE_CODE
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
    mail_member(
        keys.escalation(repair.pk),
        repair.workspace_id,
        target,
        Purpose.ESCALATION,
        language,
        subject,
        body,
        repair=repair,
    )


def next_morning(after: datetime, hour: int, zone: zoneinfo.ZoneInfo) -> datetime:
    """The next moment it is *hour* o'clock in *zone*, strictly after *after*."""
    local = after.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour), zone)
    if candidate <= after:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour), zone)
    return candidate


class Digests(RowStep):
    """At each member's morning hour, in their own zone, queue their digest of what is due."""

    name = "handle_one_digest"
    order = 40

    def due(self, now):
        return (
            Membership.objects.filter(Q(next_digest_at__lte=now) | Q(next_digest_at__isnull=True))
            .select_related("workspace", "user")
            .order_by("next_digest_at", "id")
        )

    @transaction.atomic  # the claim and its mail together: a failed mail leaves it due
    def handle(self, membership, now):
        zone = zoneinfo.ZoneInfo(membership.time_zone)
        following = next_morning(now, membership.digest_hour, zone)
        claimed = Membership.objects.filter(
            pk=membership.pk, next_digest_at=membership.next_digest_at
        ).update(next_digest_at=following)
        if claimed and membership.next_digest_at is not None:
            _mail_digest(membership, zone, now)


def _mail_digest(membership: Membership, zone, now) -> None:
    user = membership.user
    if not (membership.wants_digest and email.configured() and user.email):
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
    day = now.astimezone(zone).date()
    mail_member(
        keys.digest(membership.pk, day),
        membership.workspace_id,
        user,
        Purpose.DIGEST,
        language,
        subject,
        body,
    )


STEPS = [LatePromises, UnrecordedLapses, Escalations, Digests]

# For tests and scripts that take one step by hand (the worker makes its own).
handle_one_late_promise = LatePromises()
handle_one_unrecorded_lapse = UnrecordedLapses()
handle_one_escalation = Escalations()
handle_one_digest = Digests()
