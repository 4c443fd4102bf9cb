"""Away for a while: what falls in the absence is handed to a colleague in one step, and
comes back on return with a summary of what happened to each thing.

Meetings and promises are handed here; apps above (cadences: keep-in-touch rhythms and
patient nudges) hand theirs through ``period_handed`` and give them back through
``period_returned``, adding a line each to the summary.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from verbind.followthrough.absences import give_meeting
from verbind.followthrough.models import Delegation, Handed
from verbind.lib.refusals import Refused
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Purpose
from verbind.obligations.models import Appointment, AppointmentStatus, Outcome, Promise
from verbind.workspaces.models import Membership

# delegation, and ``add(kind, object_id, label)`` to record what a receiver handed over.
period_handed = Signal()
# delegation, handed (the rows of that receiver's kinds), now: each receiver gives its
# kinds back and returns the summary lines for them.
period_returned = Signal()

HANDED_STATUSES = (AppointmentStatus.PROPOSED, AppointmentStatus.CONFIRMED)


class DelegationRefused(Refused):
    code = "delegation"


@transaction.atomic
def hand_over(absence, by=None) -> Delegation:
    """Everything of the absent member that falls in *absence* goes to its backup (or theirs):
    meetings in it, promises due in it, and what apps above add."""
    membership = absence.membership
    delegate = absence.backup or membership.backup
    if delegate is None or delegate.user_id == membership.user_id:
        raise DelegationRefused(
            _("Name a backup on the absence, or your backup in Settings, to hand things to.")
        )
    if Delegation.objects.filter(absence=absence).exists():
        raise DelegationRefused(_("What falls in this absence was handed over already."))
    delegation = Delegation.objects.create(
        workspace_id=membership.workspace_id,
        absence=absence,
        member=membership.user,
        delegate=delegate.user,
        starts_at=absence.starts_at,
        ends_at=absence.ends_at,
    )

    def add(kind: str, object_id: int, label: str) -> None:
        Handed.objects.create(
            delegation=delegation, kind=kind, object_id=object_id, label=label[:300]
        )

    meetings = Appointment.objects.filter(
        owner=membership.user,
        workspace_id=membership.workspace_id,
        status__in=HANDED_STATUSES,
        starts_at__lt=absence.ends_at,
        ends_at__gt=max(absence.starts_at, timezone.now()),
    ).select_related("person")
    for meeting in meetings:
        if give_meeting(meeting, membership, delegate, by):
            add("appointment", meeting.pk, f"“{meeting.title}” — {meeting.person.name}")
    promises = Promise.objects.filter(
        owner=membership.user,
        workspace_id=membership.workspace_id,
        outcome=Outcome.OPEN,
        due_at__gte=absence.starts_at,
        due_at__lt=absence.ends_at,
    ).select_related("person")
    for promise in promises:
        if Promise.objects.filter(pk=promise.pk, owner=membership.user).update(owner=delegate.user):
            add("promise", promise.pk, f"“{promise.what}” — {promise.person.name}")
    period_handed.send(Delegation, delegation=delegation, add=add)
    return delegation


def handed(delegation: Delegation) -> list[Handed]:
    return list(delegation.handed.order_by("kind", "id"))


@transaction.atomic
def give_back(delegation: Delegation, now=None) -> list[str]:
    """Back from the absence: what is still open goes back to the member, who reads what
    happened to each thing. Returns the summary's lines (once; later calls return none)."""
    now = now or timezone.now()
    if not Delegation.objects.filter(pk=delegation.pk, returned_at__isnull=True).update(
        returned_at=now
    ):
        return []
    member, delegate = delegation.member, delegation.delegate
    rows = handed(delegation)
    language = _language_of(delegation)
    lines = []
    with translation.override(language):
        for row in rows:
            if row.kind == "appointment":
                meeting = Appointment.objects.filter(pk=row.object_id).first()
                if meeting is None:
                    continue
                if meeting.owner_id == delegate.pk and meeting.starts_at > now:
                    Appointment.objects.filter(pk=meeting.pk).update(owner=member)
                    lines.append(_("%(what)s: yours again (still to come)") % {"what": row.label})
                else:
                    lines.append(f"{row.label}: {meeting.get_status_display()}")
            elif row.kind == "promise":
                promise = Promise.objects.filter(pk=row.object_id).first()
                if promise is None:
                    continue
                if promise.owner_id == delegate.pk and promise.outcome == Outcome.OPEN:
                    Promise.objects.filter(pk=promise.pk).update(owner=member)
                    lines.append(_("%(what)s: still open, yours again") % {"what": row.label})
                else:
                    lines.append(f"{row.label}: {promise.get_status_display()}")
        for _receiver, more in period_returned.send(
            Delegation, delegation=delegation, handed=rows, now=now
        ):
            lines += more or []
    _tell_the_member(delegation, lines, language)
    return lines


def _language_of(delegation: Delegation) -> str:
    found = Membership.objects.filter(
        workspace_id=delegation.workspace_id, user_id=delegation.member_id
    ).first()
    return found.language if found else "nl"


def _tell_the_member(delegation: Delegation, lines: list[str], language: str) -> None:
    membership = Membership.objects.filter(
        workspace_id=delegation.workspace_id, user_id=delegation.member_id
    ).first()
    if membership is None:
        return
    delegate = Membership.objects.filter(
        workspace_id=delegation.workspace_id, user_id=delegation.delegate_id
    ).first()
    subject, body = render(
        "welcome_back",
        language,
        {
            "first_name": delegation.member.first_name or membership.display_name,
            "delegate": delegate.display_name if delegate else "",
            "since": local_text(delegation.starts_at, language, membership.zone),
            "lines": lines,
            "url": site_url("/"),
        },
    )
    mail_member(
        f"delegation:{delegation.pk}:back",
        delegation.workspace_id,
        delegation.member,
        Purpose.ABSENCE,
        language,
        subject,
        body,
    )
