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
from verbind.followthrough.delegation import give_back
from verbind.followthrough.models import (
    Delegation,
    Lapse,
    Repair,
    RepairState,
    TeamDigestSchedule,
)
from verbind.followthrough.repairs import escalation_target, lapse_kind, open_repair, promise_late
from verbind.followthrough.rules.repairs import repair_reason
from verbind.followthrough.team import MANAGERS, at_risk, went_well
from verbind.lib.events import tell
from verbind.lib.steps import RowStep
from verbind.messaging import keys
from verbind.messaging.channels import email
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Purpose
from verbind.obligations.models import Appointment, Outcome, Promise
from verbind.scheduling.absences import affected
from verbind.workspaces.models import Membership, membership_of


class LatePromises(RowStep):
    """A promise whose time passed unkept becomes a lapse with an open repair."""

    name = "handle_one_late_promise"
    prepared = True
    order = 10

    def due(self, now):
        return (
            Promise.objects.filter(outcome=Outcome.OPEN, due_at__lte=now)
            .exclude(
                Exists(Lapse.objects.filter(promise=OuterRef("pk"), occurred_at=OuterRef("due_at")))
            )
            .select_related("workspace", "person", "owner")
            .order_by("due_at", "id")
        )

    def handle(self, promise, now):
        promise_late(promise)


class UnrecordedLapses(RowStep):
    """A meeting broken on our side without a repair (set by an import, say) gets one."""

    name = "handle_one_unrecorded_lapse"
    prepared = True
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
    prepared = True
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
            tell(
                repair.workspace_id,
                "repair.overdue",
                repair_id=repair.pk,
                person_id=repair.person_id,
                member_id=repair.owner_id,
                escalated_to=target.pk,
            )


def _mail_escalation(repair: Repair, target) -> None:
    membership = membership_of(repair.workspace_id, target.pk)
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


class TeamDigests(RowStep):
    """Each owner and manager gets the team's week on Monday from 08:00 in their own zone."""

    name = "handle_one_team_digest"
    order = 45

    def due(self, now):
        if not email.configured():
            return Membership.objects.none()
        return (
            Membership.objects.filter(role__in=MANAGERS, user__is_active=True, wants_digest=True)
            .exclude(user__email="")
            .filter(Q(team_digest__isnull=True) | Q(team_digest__next_at__lte=now))
            .select_related("user", "workspace")
            .order_by("pk")
        )

    @transaction.atomic  # the claim and its mail together: a failed mail leaves it due
    def handle(self, membership, now):
        after = next_monday_morning(now, membership.zone)
        schedule = TeamDigestSchedule.objects.filter(membership=membership).first()
        if schedule is None:  # new to managing: the first digest comes next Monday
            TeamDigestSchedule.objects.get_or_create(
                membership=membership, defaults={"next_at": after}
            )
            return
        # The row was found due a moment ago; another worker may have written its first
        # schedule (next Monday) or sent this week's digest since. Only a schedule that is
        # due now may be claimed, or that worker's fresh one would be mailed at once.
        if schedule.next_at > now:
            return
        claimed = TeamDigestSchedule.objects.filter(
            pk=schedule.pk, next_at=schedule.next_at
        ).update(next_at=after)
        if claimed:
            _mail_team_digest(membership, now, schedule.next_at)


def next_monday_morning(after: datetime, zone) -> datetime:
    """The first Monday 08:00 in *zone* strictly after *after*."""
    local = after.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    candidate = datetime.combine(monday, time(8), zone)
    while candidate <= after:
        candidate = datetime.combine(candidate.date() + timedelta(days=7), time(8), zone)
    return candidate


def _mail_team_digest(membership: Membership, now: datetime, due_at: datetime) -> None:
    language, zone, workspace = membership.language, membership.zone, membership.workspace
    well = went_well(workspace, since=now - timedelta(days=7), now=now)
    risky = [
        {
            "owner_name": repair.owner.get_full_name() or repair.owner.email,
            "person": repair.person.name,
            "deadline": local_text(repair.deadline_at, language, zone),
        }
        for repair in at_risk(workspace, now)[:20]
    ]
    away = []
    for member in Membership.objects.filter(workspace=workspace).select_related("user"):
        count = affected(member, now).filter(starts_at__lt=now + timedelta(days=7)).count()
        if count:
            away.append({"name": member.display_name, "count": count})
    subject, body = render(
        "team_digest",
        language,
        {
            "first_name": membership.user.first_name or membership.display_name,
            "workspace": workspace.name,
            "repaired": well["repaired_in_time"],
            "kept": well["promises_kept"],
            "risky": risky,
            "away": away,
            "url": site_url("/team/"),
        },
    )
    mail_member(
        keys.team_digest(
            membership.pk,
            "{}-W{:02d}".format(*due_at.astimezone(membership.zone).isocalendar()[:2]),
        ),
        workspace.pk,
        membership.user,
        Purpose.DIGEST,
        language,
        subject,
        body,
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
    prepared = True
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


class ReturnedFromAbsence(RowStep):
    """A delegation whose absence is over: what is still open goes back, with a summary."""

    name = "handle_one_return"
    order = 62

    def due(self, now):
        return (
            Delegation.objects.filter(returned_at__isnull=True, ends_at__lte=now)
            .select_related("member", "delegate")
            .order_by("ends_at", "id")
        )

    def handle(self, delegation, now):
        give_back(delegation, now)


STEPS = [LatePromises, UnrecordedLapses, Escalations, Digests, TeamDigests, ReturnedFromAbsence]

# For tests and scripts that take one step by hand (the worker makes its own).
handle_one_late_promise = LatePromises()
handle_one_unrecorded_lapse = UnrecordedLapses()
handle_one_escalation = Escalations()
handle_one_digest = Digests()
