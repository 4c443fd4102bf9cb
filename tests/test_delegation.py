"""Away for a while (issue #11): a member hands what falls in an absence to a colleague in one
step — meetings in it, promises due in it, keep-in-touch rhythms and nudges due then — and
gets what is still open back on return, with a summary by mail read back from a real SMTP
server."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.conftest import ApiClient, make_appointment, make_promise
from verbind.cadences import cadence as cadences
from verbind.cadences import nudges
from verbind.cadences.models import Cadence, Nudge
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.models import Delegation
from verbind.obligations.models import Appointment, AppointmentStatus, Promise, PromiseStatus
from verbind.people.models import Person
from verbind.scheduling.models import Absence
from verbind.worker.loop import Worker
from verbind.workspaces.models import ApiToken

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 12, 7, 9, tzinfo=AMS)
pytestmark = pytest.mark.django_db


@pytest.fixture
def away(workspace, owner, colleague, person):
    """Olga is away for a week from Wednesday; Cees is her backup."""
    olga = owner.memberships.get(workspace=workspace)
    olga.backup = colleague.memberships.get(workspace=workspace)
    olga.save()
    with time_machine.travel(MONDAY, tick=False):
        absence = Absence.objects.create(
            workspace=workspace, membership=olga,
            starts_at=MONDAY + timedelta(days=2), ends_at=MONDAY + timedelta(days=9),
        )
    return olga, absence


def test_a_week_away_is_handed_over_and_comes_back_with_a_summary(
    smtp, away, owner, colleague, person, workspace
):
    olga, absence = away
    linda = Person.objects.create(workspace=workspace, name="Linda Bakker", email="l@b.example")
    with time_machine.travel(MONDAY, tick=False):
        meeting = make_appointment(person, owner, starts_in=timedelta(days=3))  # Thursday
        later = make_appointment(linda, owner, starts_in=timedelta(days=20))  # after: stays hers
        proposal = make_promise(person, owner, due_in=timedelta(days=4), what="Send the proposal")
        prices = make_promise(linda, owner, due_in=timedelta(days=5), what="Send the prices")
        rhythm = cadences.for_person(owner, linda, 1)  # due in a week: inside the absence
        nudge = nudges.start(owner, person, "joining the club")
        Nudge.objects.filter(pk=nudge.pk).update(next_at=MONDAY + timedelta(days=4))
        web = Client()
        web.force_login(owner)
        web.post(f"/absences/{absence.pk}/hand-over/")
        Worker().run_pass()  # Cees hears of the meeting he hosts now
    delegation = Delegation.objects.get()
    assert {(h.kind, h.object_id) for h in delegation.handed.all()} == {
        ("appointment", meeting.pk), ("promise", proposal.pk), ("promise", prices.pk),
        ("cadence", rhythm.pk), ("nudge", nudge.pk),
    }
    assert Appointment.objects.get(pk=later.pk).owner == owner
    for row in (Appointment.objects.get(pk=meeting.pk), Promise.objects.get(pk=proposal.pk)):
        assert row.owner == colleague
    assert Cadence.objects.get(pk=rhythm.pk).owner == colleague
    handover = smtp.to(colleague.email)
    assert handover and "Could you host" in handover[0]["Subject"]
    again = web.post(f"/absences/{absence.pk}/hand-over/", follow=True)
    assert "was handed over already" in again.content.decode()
    with time_machine.travel(MONDAY + timedelta(days=3, hours=23), tick=False):  # Friday 8:00
        keys = [item.key for item in agenda_for(colleague.memberships.get())]
        assert f"promise:{proposal.pk}" in keys  # Cees sees it due on his Today
        Promise.objects.get(pk=proposal.pk).transition(PromiseStatus.KEPT, by=colleague)
        # Linda asked for the prices after Olga is back: agreed, a new time
        Promise.objects.get(pk=prices.pk).renew(MONDAY + timedelta(days=12), by=colleague)
        Appointment.objects.get(pk=meeting.pk).transition(AppointmentStatus.HELD, by=colleague)
    with time_machine.travel(MONDAY + timedelta(days=9, minutes=5), tick=False):  # back
        Worker().run_pass()
        Worker().run_pass()  # once
    assert Promise.objects.get(pk=prices.pk).owner == owner  # still open: hers again
    assert Promise.objects.get(pk=proposal.pk).owner == colleague  # kept by Cees: his record
    assert Cadence.objects.get(pk=rhythm.pk).owner == owner
    assert Nudge.objects.get(pk=nudge.pk).owner == owner
    [summary] = [m for m in smtp.to(owner.email) if "Welcome back" in m["Subject"]]
    text = summary.get_content()
    assert "Cees Colleague" in summary["Subject"]
    assert "“Send the proposal” — Hans Verbeek: Kept" in text
    assert "“Send the prices” — Linda Bakker: still open, yours again" in text
    assert "Keeping in touch with Linda Bakker: not yet, it is due" in text
    assert "Held" in text


def test_without_a_backup_nothing_is_handed_and_the_api_says_why(owner, workspace):
    olga = owner.memberships.get(workspace=workspace)
    absence = Absence.objects.create(
        workspace=workspace, membership=olga,
        starts_at=MONDAY + timedelta(days=2), ends_at=MONDAY + timedelta(days=9),
    )
    api = ApiClient(ApiToken.issue(olga, "away")[1])
    refused = api.post(f"/api/v1/absences/{absence.pk}/hand-over")
    assert refused.status_code == 409 and "backup" in refused.json()["message"]
    assert not Delegation.objects.exists()
