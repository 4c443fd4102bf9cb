"""The front desk (story 2): today's visits with each host's situation, one check-in however
many tap it, the host told at once, and a failed visit owed by the host (or their backup)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from verbind.desk import visits as desk
from verbind.desk.models import Answer, Visit, VisitEvent
from verbind.followthrough.models import Repair, RepairState
from verbind.lib.refusals import Refused
from verbind.messaging.models import OutboxMessage
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.scheduling.models import Absence
from verbind.worker.loop import Worker
from verbind.workspaces.models import ApiToken

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Tuesday morning; the visit is at 10:00.
NOW = datetime(2026, 11, 24, 9, 55, tzinfo=AMSTERDAM)


def visit_at(person, owner, hour=10, title="Studio tour and lunch"):
    starts = NOW.replace(hour=hour, minute=0)
    return Appointment.objects.create(
        workspace=person.workspace,
        person=person,
        owner=owner,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.CONFIRMED,
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@time_machine.travel(NOW, tick=False)
def test_story_2_the_host_is_off_the_desk_knows_and_the_visitor_hears_from_us_within_a_day(
    smtp, desk_team, visitor, owner, colleague, workspace
):
    host, backup, reception = desk_team
    Absence.objects.create(
        workspace=workspace,
        membership=host,
        starts_at=NOW.replace(hour=0),
        ends_at=NOW.replace(hour=23, minute=59),
        backup=backup,
        note="Day off",
    )
    meeting = visit_at(visitor, owner)
    desk_client = signed_in(reception.user)
    # Before anyone calls, the desk sees that the host is away today, and who stands in.
    page = desk_client.get("/desk/").content.decode()
    assert "Linda Bakker" in page and "Away today — backup: Cees Colleague" in page
    # She arrives: one tap. The host is told, and as she is away, her backup at once.
    desk_client.post(f"/desk/appointments/{meeting.pk}/check-in/")
    visit = Visit.objects.get()
    assert visit.checked_in_by == reception.user and visit.backup_told_at == NOW
    Worker().run_pass(now=NOW)
    [to_host] = [m for m in smtp.to("olga@example.org") if "at the desk" in m["Subject"]]
    [to_backup] = smtp.to("cees@example.org")
    assert (
        "Linda Bakker" in to_host["Subject"]
        and f"/desk/visits/{visit.pk}/answer/" in to_host.get_content()
    )
    assert "away today" in to_backup.get_content()
    # The desk shows the script: call the host to put her through, hand over, or record it.
    page = desk_client.get("/desk/").content.decode()
    assert "Shall I put you through?" in page and 'href="tel:+31612345678"' in page
    # Nobody can receive her: one tap records it, and she agrees to a short note now.
    desk_client.post(f"/desk/visits/{visit.pk}/failed/", {"note": "1"})
    meeting.refresh_from_db()
    assert meeting.status == AppointmentStatus.MISSED_BY_US and meeting.changed_by == reception.user
    repair = Repair.objects.get()
    # Owed by the host's side, not the desk: to the backup at once while the host is away.
    assert (repair.owner, repair.delegated_from) == (colleague, owner)
    assert repair.deadline_at - NOW == timedelta(hours=24)
    Worker().run_pass(now=NOW)
    [note] = smtp.to("linda@bakkerco.example")
    assert "Het spijt ons" in note.get_content() and "Cees Colleague" in note.get_content()
    # The note is on the repair's record but does not close it.
    repair.refresh_from_db()
    assert repair.first_contact_at is not None and repair.state == RepairState.OPEN
    # The backup's apology with new dates, sent the same afternoon, closes it within the day.
    from verbind.followthrough import actions
    from verbind.followthrough.agenda import agenda_for

    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        [item] = [i for i in agenda_for(backup) if i.rule == "repair_due"]
        draft = actions.draft(backup, item)
        from verbind.messaging import outbox

        outbox.send(draft, by=colleague)
        Worker().run_pass()
    repair.refresh_from_db()
    assert repair.state == RepairState.CLOSED and repair.closed_at - NOW < timedelta(hours=24)
    assert len(smtp.to("linda@bakkerco.example")) == 2
    # Every desk action is on the visit's record, with who did it.
    log = desk_client.get("/desk/log/", {"day": "2026-11-24"}).content.decode()
    assert "Rita Reception" in log and "Visit failed — our side" in log


@time_machine.travel(NOW, tick=False)
def test_two_people_checking_in_one_visitor_make_one_check_in(desk_team, visitor, owner):
    host, backup, reception = desk_team
    meeting = visit_at(visitor, owner)
    desk.check_in(meeting, reception.user)
    with pytest.raises(Refused) as second:
        desk.check_in(meeting, host.user)
    assert second.value.status == 409 and "already checked in at 09:55" in second.value.message
    assert VisitEvent.objects.filter(what="checked_in").count() == 1
    assert OutboxMessage.objects.filter(purpose="visitor").count() <= 1


@time_machine.travel(NOW, tick=False)
def test_the_desk_refuses_a_cancelled_visit_another_days_and_another_workspaces(
    desk_team, visitor, owner, outsider
):
    host, backup, reception = desk_team
    cancelled = visit_at(visitor, owner, hour=11)
    cancelled.transition(AppointmentStatus.CANCELLED_BY_THEM)
    with pytest.raises(Refused, match="Cancelled by them"):
        desk.check_in(cancelled, reception.user)
    tomorrow = visit_at(visitor, owner, hour=15)
    Appointment.objects.filter(pk=tomorrow.pk).update(
        starts_at=tomorrow.starts_at + timedelta(days=1),
        ends_at=tomorrow.ends_at + timedelta(days=1),
    )
    tomorrow.refresh_from_db()
    with pytest.raises(Refused, match="not now"):
        desk.check_in(tomorrow, reception.user)
    # Another workspace's desk does not even find it.
    meeting = visit_at(visitor, owner, hour=10)
    other = signed_in(outsider)
    assert other.post(f"/desk/appointments/{meeting.pk}/check-in/").status_code == 404
    assert "Linda Bakker" not in other.get("/desk/").content.decode()
    assert not Visit.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_host_answers_from_any_page_and_the_desk_sees_it(desk_team, visitor, owner):
    host, backup, reception = desk_team
    meeting = visit_at(visitor, owner)
    desk.check_in(meeting, reception.user)
    visit = Visit.objects.get()
    host_client = signed_in(owner)
    ping = host_client.get("/desk/for-me/").content.decode()
    assert "Linda Bakker is at the desk for you." in ping
    host_client.post(f"/desk/visits/{visit.pk}/answer/", {"answer": "five_minutes"})
    day = signed_in(reception.user).get("/desk/day/").content.decode()
    assert "Host in 5 minutes" in day
    # The receptionist cannot answer for the host.
    refused = signed_in(reception.user).post(
        f"/desk/visits/{visit.pk}/answer/", {"answer": "coming"}, HTTP_REFERER="/desk/"
    )
    assert refused.status_code == 302
    visit.refresh_from_db()
    assert visit.answer == Answer.FIVE_MINUTES
    # An "I'm coming" after check-out is ignored, with a note on the record.
    desk.check_out(visit, reception.user)
    desk.answer(visit, "coming", owner)
    visit.refresh_from_db()
    assert visit.answer == Answer.FIVE_MINUTES
    assert VisitEvent.objects.filter(visit=visit, what="ignored").exists()


def test_no_answer_in_five_minutes_asks_the_backup_once(smtp, desk_team, visitor, owner):
    host, backup, reception = desk_team
    with time_machine.travel(NOW, tick=False):
        meeting = visit_at(visitor, owner)
        desk.check_in(meeting, reception.user)
    worker = Worker()
    assert worker.run_pass(now=NOW + timedelta(minutes=4))["handle_one_unanswered_visitor"] == 0
    assert worker.run_pass(now=NOW + timedelta(minutes=5))["handle_one_unanswered_visitor"] == 1
    assert worker.run_pass(now=NOW + timedelta(minutes=9))["handle_one_unanswered_visitor"] == 0
    to_backup = OutboxMessage.objects.filter(purpose="visitor", member=backup.user)
    assert to_backup.count() == 1 and "5 minutes" in to_backup.get().body
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        day = signed_in(reception.user).get("/desk/day/").content.decode()
    assert "No answer yet" in day and "Their backup has been asked too." in day
    # The backup sees the visitor on their own pages.
    assert "Linda Bakker" in signed_in(backup.user).get("/desk/for-me/").content.decode()


def test_walk_ins_who_are_not_contacts_are_forgotten_after_the_retention_period(
    desk_team, visitor, workspace
):
    host, backup, reception = desk_team
    with time_machine.travel(NOW, tick=False):
        stranger = desk.walk_in(workspace, host, reception.user, name="Piet Passant", phone="0612")
        contact = desk.walk_in(workspace, host, reception.user, person=visitor)
    worker = Worker()
    worker.run_pass(now=NOW + timedelta(days=89))
    assert Visit.objects.filter(pk=stranger.pk).exists()
    worker.run_pass(now=NOW + timedelta(days=90, minutes=1))
    assert not Visit.objects.filter(pk=stranger.pk).exists()
    assert Visit.objects.filter(pk=contact.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_a_reception_token_does_the_desks_work_through_the_api(desk_team, visitor, owner):
    host, backup, reception = desk_team
    meeting = visit_at(visitor, owner)
    _token, raw = ApiToken.issue(reception, "desk tablet")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    [line] = api.get("/api/v1/desk/visits").json()
    assert (line["visitor"], line["state"], line["situation"]["kind"]) == (
        "Linda Bakker",
        "expected",
        "in",
    )
    made = api.post(f"/api/v1/desk/appointments/{meeting.pk}/check-in")
    assert made.status_code == 201
    again = api.post(f"/api/v1/desk/appointments/{meeting.pk}/check-in")
    assert again.status_code == 409 and "already checked in" in again.json()["message"]
    visit_id = made.json()["id"]
    failed = api.post(
        f"/api/v1/desk/visits/{visit_id}/failed", json.dumps({}), content_type="application/json"
    )
    assert failed.status_code == 200 and failed.json()["repair_owner_id"] == owner.pk


@time_machine.travel(NOW, tick=False)
def test_verbind_desk_prints_the_days_visitors(desk_team, visitor, owner, capsys):
    meeting = visit_at(visitor, owner)
    call_command("desk", "--member", "olga@example.org", "--json")
    [line] = json.loads(capsys.readouterr().out)
    assert line["visitor"] == "Linda Bakker" and line["state"] == "expected"
    assert line["at"].startswith("2026-11-24T10:00")
    assert meeting.pk
