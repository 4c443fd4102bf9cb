"""Promise rules at their boundaries: one minute before, at, and one minute after — also across DST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import make_promise
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.models import Lapse, Repair
from verbind.followthrough.steps import handle_one_late_promise
from verbind.obligations.models import Promise

AMS = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)


def keys(membership, at):
    return [item.key for item in agenda_for(membership, at)]


@pytest.fixture
def membership(owner, workspace):
    return owner.memberships.get()


def promise_due(person, owner, due_at):
    promise = make_promise(person, owner)
    Promise.objects.filter(pk=promise.pk).update(due_at=due_at)
    promise.refresh_from_db()
    return promise


@pytest.mark.parametrize(
    "due_local",
    [
        datetime(2026, 12, 3, 17, 0, tzinfo=AMS),  # an ordinary week
        datetime(2026, 10, 25, 17, 0, tzinfo=AMS),  # the day summer time ends (25 hours)
        datetime(2026, 3, 29, 17, 0, tzinfo=AMS),  # the day summer time starts (23 hours)
    ],
)
def test_a_promise_shows_as_due_soon_from_24_hours_before(membership, person, owner, due_local):
    promise = promise_due(person, owner, due_local)
    start = promise.due_at - timedelta(hours=24)
    assert f"promise:{promise.pk}" not in keys(membership, start - MINUTE)
    assert f"promise:{promise.pk}" in keys(membership, start)
    assert f"promise:{promise.pk}" in keys(membership, start + MINUTE)


def test_the_day_before_a_dst_change_the_warning_comes_at_a_different_wall_clock_time(
    membership, person, owner
):
    promise = promise_due(person, owner, datetime(2026, 10, 25, 17, 0, tzinfo=AMS))
    # 24 real hours before 17:00 on the long day is 18:00 the day before, local time.
    at = datetime(2026, 10, 24, 18, 0, tzinfo=AMS)
    assert f"promise:{promise.pk}" in keys(membership, at)
    assert f"promise:{promise.pk}" not in keys(membership, at - MINUTE)


def test_a_promise_becomes_a_repair_the_moment_it_is_late(membership, person, owner):
    promise = promise_due(person, owner, datetime(2026, 12, 3, 17, 0, tzinfo=AMS))
    due = promise.due_at
    assert keys(membership, due - MINUTE) == [f"promise:{promise.pk}"]
    assert keys(membership, due) == [f"repair:promise:{promise.pk}"]  # before the worker even ran
    assert handle_one_late_promise(due - MINUTE) is False
    assert handle_one_late_promise(due) is True
    assert handle_one_late_promise(due + MINUTE) is False  # once only
    repair = Repair.objects.get()
    assert (repair.opened_at, repair.deadline_at) == (due, due + timedelta(hours=24))
    assert Lapse.objects.get().kind == "promise_late"
    assert keys(membership, due + MINUTE) == [f"repair:promise:{promise.pk}"]


def test_the_repair_is_overdue_from_its_deadline_on(membership, person, owner):
    promise = promise_due(person, owner, datetime(2026, 12, 3, 17, 0, tzinfo=AMS))
    handle_one_late_promise(promise.due_at)
    deadline = Repair.objects.get().deadline_at
    urgency = {
        at: agenda_for(membership, at)[0].urgency
        for at in (deadline - MINUTE, deadline, deadline + MINUTE)
    }
    assert urgency == {deadline - MINUTE: 1, deadline: 0, deadline + MINUTE: 0}


def test_a_repair_opened_before_summer_time_starts_is_due_24_real_hours_later(
    membership, person, owner
):
    promise = promise_due(person, owner, datetime(2026, 3, 28, 10, 0, tzinfo=AMS))
    handle_one_late_promise(promise.due_at)
    deadline = Repair.objects.get().deadline_at.astimezone(AMS)
    assert (deadline.day, deadline.hour) == (29, 11)  # the clocks jumped an hour that night


def test_a_promise_moved_to_a_new_time_can_be_late_again(membership, person, owner):
    promise = promise_due(person, owner, datetime(2026, 12, 3, 17, 0, tzinfo=AMS))
    handle_one_late_promise(promise.due_at)
    from verbind.followthrough.repairs import close

    close(Repair.objects.get(), "sent")
    promise.promise_new_time(datetime(2026, 12, 7, 17, 0, tzinfo=AMS))
    assert handle_one_late_promise(promise.due_at) is True
    assert Repair.objects.filter(state="open").count() == 1


def test_the_today_section_ends_at_local_midnight(membership, person, owner):
    promise_due(person, owner, datetime(2026, 12, 3, 23, 30, tzinfo=AMS))
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=AMS), tick=False):
        assert agenda_for(membership)[0].urgency == 1  # today
    promise_due(person, owner, datetime(2026, 12, 4, 0, 30, tzinfo=AMS))
    items = agenda_for(membership, datetime(2026, 12, 3, 9, 0, tzinfo=AMS))
    assert [i.urgency for i in items] == [1, 2]  # today, then coming
