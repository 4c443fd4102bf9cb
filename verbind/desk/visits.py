"""The desk's work, one rule each: today's expected visits with each host's situation, check-in
(once, however many tap it), the host told at once and their answer, hand-over, a failed visit
owed by the host (not the desk), and check-out. Web, API and CLI all call these."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from verbind.desk.models import Answer, DeskSettings, Visit, VisitEvent
from verbind.followthrough.models import Repair, RepairState
from verbind.lib.events import tell
from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.lib.refusals import Invalid, Refused
from verbind.messaging import keys
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import SEND, enqueue, mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Purpose
from verbind.obligations.models import Appointment, AppointmentStatus, TransitionRefused
from verbind.scheduling.absences import away_at, backup_for
from verbind.workspaces.models import Membership


class NotYours(Refused):
    """Someone else's to do (a visitor waiting for another host)."""

    code = "not_yours"
    status = 403


class NotHere(Refused):
    """Not in this workspace."""

    code = "not_found"
    status = 404


# Meetings the desk expects: agreed ones, and those that already ended one way or another.
EXPECTED = [
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.HELD,
    AppointmentStatus.MISSED_BY_US,
    AppointmentStatus.MISSED_BY_THEM,
]
# A visitor may be checked in this long before their time.
EARLY = timedelta(hours=2)


@dataclass
class Situation:
    """Where the host is, as the desk needs to know before anyone calls."""

    kind: str  # "in", "meeting", "away"
    text: str
    until: datetime | None = None
    backup: Membership | None = None


@dataclass
class Expected:
    """One line of the desk's day: a visit that is expected, under way or over."""

    visitor: str
    expected_at: datetime
    host: Membership | None
    appointment: Appointment | None
    visit: Visit | None
    situation: Situation | None

    @property
    def state(self) -> str:
        visit = self.visit
        if visit is None or not visit.checked_in_at:
            return "expected"
        if visit.failed_at:
            return "failed"
        if visit.checked_out_at:
            return "gone"
        if visit.handed_to_id:
            return "handed_over"
        if visit.answer in (Answer.COMING, Answer.FIVE_MINUTES):
            return "received"
        if visit.answer == Answer.CANNOT:
            return "cannot"
        return "waiting"


def day_bounds(day: date, zone) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def situation(host: Membership, now: datetime, appointment: Appointment | None = None) -> Situation:
    """In, in a meeting until …, or away today with who stands in."""
    moment = max(now, appointment.starts_at) if appointment else now
    if away_at(host, moment):
        backup = backup_for(host, appointment) if appointment else host.backup
        if backup is not None and backup.pk == host.pk:
            backup = None
        if backup is not None:
            text = _("Away today — backup: %(name)s") % {"name": backup.display_name}
        else:
            text = _("Away today — no backup named")
        return Situation("away", text, backup=backup)
    busy = (
        Appointment.objects.filter(
            workspace_id=host.workspace_id,
            owner_id=host.user_id,
            status=AppointmentStatus.CONFIRMED,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .exclude(pk=appointment.pk if appointment else None)
        .order_by("-ends_at")
        .first()
    )
    if busy is not None:
        until = timezone.localtime(busy.ends_at, host.zone)
        text = _("In a meeting until %(time)s") % {"time": f"{until:%H:%M}"}
        return Situation("meeting", text, until=busy.ends_at)
    return Situation("in", _("In"))


def expected(workspace, day: date | None = None, now: datetime | None = None, zone=None):
    """The desk's day: every expected visit and walk-in, by time, with each host's situation."""
    now = now or timezone.now()
    zone = zone or zoneinfo.ZoneInfo("Europe/Amsterdam")
    day = day or timezone.localtime(now, zone).date()
    start, end = day_bounds(day, zone)
    hosts = {
        m.user_id: m
        for m in Membership.objects.filter(workspace=workspace).select_related(
            "user", "backup__user"
        )
    }
    meetings = (
        Appointment.objects.in_workspace(workspace)
        .filter(starts_at__gte=start, starts_at__lt=end, status__in=EXPECTED)
        .select_related("person", "owner")
        .order_by("starts_at", "pk")
    )
    visits = {
        v.appointment_id: v
        for v in Visit.objects.in_workspace(workspace).filter(appointment__in=meetings)
    }
    lines = []
    today = day == timezone.localtime(now, zone).date()
    for meeting in meetings:
        host = hosts.get(meeting.owner_id)
        lines.append(
            Expected(
                visitor=meeting.person.name,
                expected_at=meeting.starts_at,
                host=host,
                appointment=meeting,
                visit=visits.get(meeting.pk),
                situation=situation(host, now, meeting) if host and today else None,
            )
        )
    walk_ins = Visit.objects.in_workspace(workspace).filter(
        appointment__isnull=True, expected_at__gte=start, expected_at__lt=end
    )
    for visit in walk_ins:
        host = hosts.get(visit.host_id)
        lines.append(
            Expected(
                visitor=visit.visitor_name,
                expected_at=visit.expected_at,
                host=host,
                appointment=None,
                visit=visit,
                situation=situation(host, now) if host and today else None,
            )
        )
    return sorted(lines, key=lambda line: line.expected_at)


def _note(visit: Visit, what: str, by=None, note: str = "", at=None) -> None:
    VisitEvent.objects.create(
        visit=visit, what=what, by=by, note=note[:500], at=at or timezone.now()
    )


def _membership(workspace_id: int, user_id: int | None) -> Membership | None:
    if user_id is None:
        return None
    return (
        Membership.objects.filter(workspace_id=workspace_id, user_id=user_id)
        .select_related("user", "backup__user")
        .first()
    )


@transaction.atomic
def check_in(appointment: Appointment, by, now: datetime | None = None) -> Visit:
    """The visitor of *appointment* is here. Two taps at once make one check-in."""
    now = now or timezone.now()
    if appointment.status != AppointmentStatus.CONFIRMED:
        raise Refused(
            _("This visit is “%(status)s”: there is nobody to check in.")
            % {"status": appointment.get_status_display()},
            "not_expected",
        )
    if not appointment.starts_at - EARLY <= now < appointment.ends_at + timedelta(hours=2):
        when = local_text(
            appointment.starts_at,
            translation.get_language() or "en",
            timezone.get_current_timezone(),
        )
        raise Refused(
            _("This visit is expected at %(when)s, not now.") % {"when": when}, "not_today"
        )
    visit, _new = Visit.objects.get_or_create(
        appointment=appointment,
        defaults={
            "workspace_id": appointment.workspace_id,
            "person": appointment.person,
            "visitor_name": appointment.person.name,
            "host": appointment.owner,
            "expected_at": appointment.starts_at,
        },
    )
    claimed = Visit.objects.filter(pk=visit.pk, checked_in_at__isnull=True).update(
        checked_in_at=now, checked_in_by=by
    )
    visit.refresh_from_db()
    if not claimed:
        raise Refused(
            _("%(visitor)s was already checked in at %(time)s.")
            % {
                "visitor": visit.visitor_name,
                "time": f"{timezone.localtime(visit.checked_in_at):%H:%M}",
            },
            "already_checked_in",
        )
    _note(visit, VisitEvent.What.CHECKED_IN, by, at=now)
    _told(visit)
    tell_host(visit, now)
    return visit


@transaction.atomic
def walk_in(
    workspace,
    host: Membership,
    by,
    *,
    name: str = "",
    person=None,
    phone: str = "",
    email: str = "",
    now: datetime | None = None,
) -> Visit:
    """Someone without an appointment: a contact found by name, or a few fields."""
    now = now or timezone.now()
    name = (person.name if person is not None else name).strip()
    if not name:
        raise Invalid(_("Write down the visitor's name."), "name_needed")
    if host.workspace_id != workspace.pk or (
        person is not None and person.workspace_id != workspace.pk
    ):
        raise NotHere(_("Not found in this workspace."), "not_found")
    visit = Visit.objects.create(
        workspace=workspace,
        person=person,
        visitor_name=name[:200],
        visitor_phone=_phone(phone)[:40],
        visitor_email=email.strip().lower(),
        host=host.user,
        expected_at=now,
        checked_in_at=now,
        checked_in_by=by,
    )
    _note(visit, VisitEvent.What.CHECKED_IN, by, note=_("walk-in"), at=now)
    _told(visit)
    tell_host(visit, now)
    return visit


def _phone(raw: str) -> str:
    """As a contact's number is kept (+316…), so a visitor asking finds it; as typed if odd."""
    try:
        return normalise_phone(raw)
    except BadPhoneNumber:
        return raw.strip()


def _told(visit: Visit) -> None:
    """Checked in: said once, for whoever listens (``lib.events``, webhooks)."""
    tell(
        visit.workspace_id,
        "visitor.checked_in",
        visit_id=visit.pk,
        person_id=visit.person_id,
        member_id=visit.host_id,
        appointment_id=visit.appointment_id,
    )


def _mail(visit: Visit, to: Membership, template: str, key: str, **context) -> None:
    host = _membership(visit.workspace_id, visit.host_id)
    meeting = visit.appointment
    subject, body = render(
        template,
        to.language,
        {
            "first_name": to.user.first_name or to.display_name,
            "visitor": visit.visitor_name,
            "host": host.display_name if host else "",
            "what": meeting.title if meeting else "",
            "when": local_text(meeting.starts_at, to.language, to.zone) if meeting else "",
            "url": site_url(f"/desk/visits/{visit.pk}/answer/"),
            **context,
        },
    )
    mail_member(
        key,
        visit.workspace_id,
        to.user,
        Purpose.VISITOR,
        to.language,
        subject,
        body,
        appointment=meeting,
    )


def tell_host(visit: Visit, now: datetime) -> None:
    """Mail the host (their open pages show it too), and when the host is away, their backup at once."""
    host = _membership(visit.workspace_id, visit.host_id)
    if host is None:
        return
    _mail(visit, host, "desk_arrived", keys.desk("arrived", visit.pk))
    Visit.objects.filter(pk=visit.pk).update(host_told_at=now)
    visit.host_told_at = now
    _note(visit, VisitEvent.What.HOST_TOLD, note=host.display_name, at=now)
    where = situation(host, now, visit.appointment)
    if where.kind == "away":
        tell_backup(visit, now, away=True)


def tell_backup(visit: Visit, now: datetime, away: bool = False) -> bool:
    """Nobody answered in time (or the host is away): the backup is asked, once."""
    if not Visit.objects.filter(pk=visit.pk, backup_told_at__isnull=True).update(
        backup_told_at=now
    ):
        return False
    visit.backup_told_at = now
    backup = _backup_of(visit)
    if backup is None:
        _note(visit, VisitEvent.What.BACKUP_TOLD, note=_("no backup named"), at=now)
        return True
    minutes = DeskSettings.of(visit.workspace).answer_within // timedelta(minutes=1)
    _mail(visit, backup, "desk_backup", keys.desk("backup", visit.pk), away=away, minutes=minutes)
    _note(visit, VisitEvent.What.BACKUP_TOLD, note=backup.display_name, at=now)
    return True


def _backup_of(visit: Visit) -> Membership | None:
    host = _membership(visit.workspace_id, visit.host_id)
    if host is None:
        return None
    backup = backup_for(host, visit.appointment) if visit.appointment else host.backup
    return None if backup is None or backup.pk == host.pk else backup


def may_answer(visit: Visit, user) -> bool:
    """The host, whoever stands in or was handed the visit, and managers."""
    if user.pk in (visit.host_id, visit.handed_to_id):
        return True
    membership = _membership(visit.workspace_id, user.pk)
    if membership is None:
        return False
    if membership.role in ("owner", "manager"):
        return True
    backup = _backup_of(visit)
    return backup is not None and backup.user_id == user.pk


@transaction.atomic
def answer(visit: Visit, reply: str, by, now: datetime | None = None) -> Visit:
    """The host's answer, which the desk sees live. After check-out it is noted and ignored."""
    now = now or timezone.now()
    if reply not in Answer.values:
        raise Invalid(_("“%(answer)s” is not an answer.") % {"answer": reply}, "unknown_answer")
    if not may_answer(visit, by):
        raise NotYours(_("This visitor is not waiting for you."), "not_your_visitor")
    if visit.checked_out_at or visit.failed_at:
        _note(
            visit,
            VisitEvent.What.IGNORED,
            by,
            note=_("answer “%(answer)s” came after the visit ended")
            % {"answer": Answer(reply).label},
            at=now,
        )
        return visit
    Visit.objects.filter(pk=visit.pk).update(answer=reply, answered_at=now)
    visit.answer, visit.answered_at = reply, now
    _note(visit, VisitEvent.What.ANSWERED, by, note=Answer(reply).label, at=now)
    return visit


@transaction.atomic
def hand_over(visit: Visit, to: Membership, by, now: datetime | None = None) -> Visit:
    """Another colleague receives the visitor: they are asked by mail (and on their pages)."""
    now = now or timezone.now()
    if to.workspace_id != visit.workspace_id:
        raise NotHere(_("Not found in this workspace."), "not_found")
    if visit.checked_out_at or visit.failed_at:
        raise Refused(_("This visit is over."), "visit_over")
    Visit.objects.filter(pk=visit.pk).update(handed_to=to.user)
    visit.handed_to = to.user
    _mail(visit, to, "desk_handed", keys.desk("handed", visit.pk, to.user_id))
    _note(visit, VisitEvent.What.HANDED_OVER, by, note=to.display_name, at=now)
    return visit


@transaction.atomic
def fail(
    visit: Visit, by, *, note_to_visitor: bool = False, now: datetime | None = None
) -> Repair | None:
    """Nobody could receive them: the meeting was missed by us. The repair is the host's (or,
    while the host is away, their backup's at once), due within a day. With the visitor's
    consent the desk sends a short note now; it goes on the repair's record but only the
    host's apology with a next step closes it."""
    now = now or timezone.now()
    meeting = visit.appointment
    if meeting is None:
        raise Refused(_("A walk-in had no appointment to miss: check them out instead."), "walk_in")
    if visit.failed_at:
        raise Refused(_("This visit is already recorded as failed."), "already_failed")
    try:
        meeting.transition(AppointmentStatus.MISSED_BY_US, by=by, now=now)
    except TransitionRefused as refused:
        raise Refused(str(refused), "cannot_fail") from None
    Visit.objects.filter(pk=visit.pk).update(failed_at=now)
    visit.failed_at = now
    _note(visit, VisitEvent.What.FAILED, by, at=now)
    repair = Repair.objects.filter(lapse__appointment=meeting, state=RepairState.OPEN).first()
    if note_to_visitor and repair is not None:
        send_note(visit, repair, by, now)
    return repair


def send_note(visit: Visit, repair: Repair, by, now: datetime) -> None:
    person = visit.person
    if person is None or not person.email:
        raise Refused(
            _("We have no e-mail address for %(name)s.") % {"name": visit.visitor_name},
            "no_address",
        )
    repairer = _membership(visit.workspace_id, repair.owner_id)
    subject, body = render(
        "desk_note",
        person.language,
        {
            "first_name": person.first_name,
            "repairer": repairer.display_name if repairer else "",
            "workspace": visit.workspace.name,
        },
    )
    enqueue(
        keys.desk("note", visit.pk),
        workspace_id=visit.workspace_id,
        purpose=Purpose.APOLOGY,
        language=person.language,
        to_address=person.email,
        subject=subject,
        body=body,
        then=SEND,
        person=person,
        sender=by,
        repair=repair,
        appointment=visit.appointment,
    )
    _note(visit, VisitEvent.What.NOTE_SENT, by, note=subject, at=now)


@transaction.atomic
def check_out(visit: Visit, by, now: datetime | None = None) -> Visit:
    now = now or timezone.now()
    if not visit.checked_in_at:
        raise Refused(
            _("%(visitor)s was never checked in.") % {"visitor": visit.visitor_name},
            "not_checked_in",
        )
    if not Visit.objects.filter(pk=visit.pk, checked_out_at__isnull=True).update(
        checked_out_at=now
    ):
        raise Refused(
            _("%(visitor)s has already left.") % {"visitor": visit.visitor_name}, "already_out"
        )
    visit.checked_out_at = now
    _note(visit, VisitEvent.What.CHECKED_OUT, by, at=now)
    return visit


def waiting_for(user, workspace):
    """Visitors at the desk waiting for *user* now (as host, stand-in or by hand-over)."""
    visits = (
        Visit.objects.in_workspace(workspace)
        .filter(checked_in_at__isnull=False, checked_out_at__isnull=True, failed_at__isnull=True)
        .exclude(answer__in=[Answer.COMING, Answer.FIVE_MINUTES])
        .select_related("appointment")
    )
    mine = []
    for visit in visits:
        if user.pk in (visit.host_id, visit.handed_to_id):
            mine.append(visit)
        elif visit.backup_told_at and not visit.handed_to_id:
            backup = _backup_of(visit)
            if backup is not None and backup.user_id == user.pk:
                mine.append(visit)
    return mine
