"""Appointment rules: repairs for our lapses, new dates after theirs, thanks after a first meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.models import Repair
from verbind.obligations.models import AppointmentStatus as S
from verbind.people.models import Interaction

MINUTE = timedelta(minutes=1)


@pytest.fixture
def membership(owner, workspace):
    return owner.memberships.get()


def keys(membership, at=None):
    return [item.key for item in agenda_for(membership, at)]


@pytest.mark.parametrize("status", [S.MISSED_BY_US, S.CANCELLED_BY_US])
def test_a_meeting_broken_by_us_opens_a_repair_at_once(membership, person, owner, status):
    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=10))
    meeting.transition(status, by=owner)
    repair = Repair.objects.get()
    assert repair.owner == owner and repair.person == person
    assert repair.deadline_at - repair.opened_at == timedelta(hours=24)
    assert keys(membership) == [f"repair:appointment:{meeting.pk}"]
    assert repair.lapse.kind == status
    from verbind.followthrough.repairs import open_repair

    assert open_repair(meeting, status) == repair  # recorded once, however often it is asked


def test_the_repair_deadline_follows_the_workspace_setting(membership, person, owner, workspace):
    from verbind.followthrough.models import RuleSettings

    RuleSettings.objects.create(workspace=workspace, repair_deadline_hours=4)
    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=10))
    meeting.transition(S.MISSED_BY_US)
    repair = Repair.objects.get()
    assert repair.deadline_at - repair.opened_at == timedelta(hours=4)


@pytest.mark.parametrize("status", [S.CANCELLED_BY_THEM, S.MISSED_BY_THEM])
def test_when_they_cancel_new_dates_are_due_within_48_hours(membership, person, owner, status):
    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=10))
    meeting.transition(status)
    key = f"new-dates:{meeting.pk}"
    item = next(i for i in agenda_for(membership) if i.key == key)
    assert item.due_by == meeting.closed_at + timedelta(hours=48)
    assert not Repair.objects.exists()  # not our fault: no repair, but still a follow-up
    deadline = item.due_by
    assert agenda_for(membership, deadline - MINUTE)[0].urgency != 0
    assert agenda_for(membership, deadline)[0].urgency == 0
    meeting.reschedule(timezone.now() + timedelta(days=5))
    assert key not in keys(membership)


def test_after_a_first_meeting_a_thank_you_is_due_within_48_hours(membership, person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=2))
    meeting.transition(S.HELD)
    key = f"thank-you:{meeting.pk}"
    assert key in keys(membership, meeting.ends_at)
    assert key not in keys(membership, meeting.ends_at - MINUTE)  # not before it ended
    item = next(i for i in agenda_for(membership) if i.key == key)
    assert item.due_by == meeting.ends_at + timedelta(hours=48)


def test_a_second_meeting_asks_no_thank_you(membership, person, owner):
    first = make_appointment(person, owner, starts_in=-timedelta(days=60))
    Interaction.objects.filter(person=person).delete()
    first.transition(S.HELD)
    second = make_appointment(person, owner, starts_in=-timedelta(hours=3))
    second.transition(S.HELD)
    assert f"thank-you:{second.pk}" not in keys(membership)


def test_writing_to_them_after_the_meeting_counts_as_the_follow_up(membership, person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=3))
    meeting.transition(S.HELD)
    Interaction.objects.create(
        workspace=person.workspace,
        person=person,
        kind="email",
        direction="outbound",
        occurred_at=timezone.now(),
    )
    assert f"thank-you:{meeting.pk}" not in keys(membership)


def test_rules_only_show_a_members_own_obligations(person, owner, colleague, workspace):
    meeting = make_appointment(person, colleague, starts_in=-timedelta(minutes=5))
    meeting.transition(S.MISSED_BY_US)
    assert keys(owner.memberships.get()) == []
    assert keys(colleague.memberships.get()) == [f"repair:appointment:{meeting.pk}"]


def test_an_old_thank_you_falls_off_after_30_days(membership, person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=3))
    meeting.transition(S.HELD)
    with time_machine.travel(meeting.ends_at + timedelta(days=31), tick=False):
        assert f"thank-you:{meeting.pk}" not in keys(membership)
