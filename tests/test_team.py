"""The manager's view of the team and the weekly team digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from tests.conftest import make_appointment
from verbind.followthrough.models import Repair
from verbind.followthrough.team import by_member, by_month
from verbind.messaging.models import OutboxMessage
from verbind.obligations.models import AppointmentStatus
from verbind.worker.loop import Worker

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY_8 = datetime(2026, 11, 30, 8, 0, tzinfo=AMSTERDAM)


def missed(person, owner, when):
    with time_machine.travel(when, tick=False):
        meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
        meeting.transition(AppointmentStatus.MISSED_BY_US)
    return Repair.objects.get(lapse__appointment=meeting)


def test_the_team_view_shows_who_owes_what_and_only_to_managers(
    workspace, owner, colleague, person
):
    now = MONDAY_8
    missed(person, colleague, now - timedelta(days=2))  # overdue: nobody wrote
    with time_machine.travel(now, tick=False):
        lines = {line.membership.user: line for line in by_member(workspace)}
        assert (lines[colleague].open_repairs, lines[colleague].overdue_repairs) == (1, 1)
        assert lines[colleague].silent_drops == 1 and lines[owner].open_repairs == 0
        web = Client()
        web.force_login(owner)
        page = web.get("/team/").content.decode()
        assert "Cees Colleague" in page and "Silent drops per month" in page
        member = Client()
        member.force_login(colleague)
        assert member.get("/team/").status_code == 403


def test_twelve_months_count_repairs_and_silent_drops_per_month(workspace, owner, person):
    missed(person, owner, datetime(2026, 6, 10, 12, tzinfo=AMSTERDAM))
    missed(person, owner, datetime(2026, 6, 20, 12, tzinfo=AMSTERDAM))
    with time_machine.travel(MONDAY_8, tick=False):
        months = {m.first.month: m for m in by_month(workspace, zone=AMSTERDAM)}
    assert len(months) == 12 and (months[6].opened, months[6].silent_drops) == (2, 2)
    assert months[11].opened == 0 and months[11].median_hours_to_repair is None


def test_each_manager_gets_the_teams_week_once_on_monday_morning(
    smtp, workspace, owner, colleague, person
):
    missed(person, colleague, MONDAY_8 - timedelta(hours=3))
    worker = Worker()
    for moment in (MONDAY_8 - timedelta(minutes=1), MONDAY_8, MONDAY_8 + timedelta(hours=3)):
        with time_machine.travel(moment, tick=False):
            worker.run_pass()
        if moment < MONDAY_8:
            assert not OutboxMessage.objects.filter(idempotency_key__startswith="team-digest")
    digests = OutboxMessage.objects.filter(idempotency_key__startswith="team-digest")
    # The owner gets it, once; a member does not.
    assert [m.member for m in digests] == [owner]
    [mail] = [m for m in smtp.to("olga@example.org") if "team's week" in m["Subject"]]
    body = mail.get_content()
    assert "Cees Colleague owes Hans Verbeek an apology with a next step" in body
    assert "/team/" in body


def test_each_figure_of_a_members_line_opens_the_list_behind_it(
    workspace, owner, colleague, person
):
    from tests.conftest import make_promise

    missed(person, colleague, MONDAY_8 - timedelta(days=2))  # overdue, and a silent drop
    with time_machine.travel(MONDAY_8 - timedelta(days=1), tick=False):
        make_promise(person, colleague, due_in=timedelta(hours=1), what="Send the floor plan")
    with time_machine.travel(MONDAY_8, tick=False):
        web = Client()
        web.force_login(owner)
        page = web.get("/team/").content.decode()
        for name in ("open_repairs", "overdue_repairs", "escalations", "promises", "silent_drops"):
            assert f'href="/team/{colleague.pk}/{name}/"' in page
        overdue = web.get(f"/team/{colleague.pk}/overdue_repairs/").content.decode()
        assert "Overdue repairs of Cees Colleague" in overdue and "Hans Verbeek" in overdue
        assert "Back to the team" in overdue
        promises = web.get(f"/team/{colleague.pk}/promises/").content.decode()
        assert "Send the floor plan" in promises
        drops = web.get(f"/team/{owner.pk}/silent_drops/").content.decode()
        assert "None. Well done." in drops
        assert web.get(f"/team/{colleague.pk}/nonsense/").status_code == 404
        member = Client()
        member.force_login(colleague)
        assert member.get(f"/team/{colleague.pk}/open_repairs/").status_code == 403
