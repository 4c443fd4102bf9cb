from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.obligations.models import Appointment, AppointmentStatus, Outcome, TransitionRefused

S = AppointmentStatus


def test_a_confirmed_meeting_that_took_place_can_be_marked_held(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=2))
    meeting.transition(S.HELD, by=owner)
    meeting.refresh_from_db()
    assert meeting.status == S.HELD
    assert meeting.outcome == Outcome.KEPT
    assert meeting.closed_at is not None
    assert meeting.changed_by == owner


@pytest.mark.parametrize(
    ("target", "outcome"),
    [
        (S.MISSED_BY_US, Outcome.BROKEN),
        (S.CANCELLED_BY_US, Outcome.BROKEN),
        (S.MISSED_BY_THEM, Outcome.RELEASED),
        (S.CANCELLED_BY_THEM, Outcome.RELEASED),
    ],
)
def test_failing_by_our_side_breaks_the_obligation_and_by_theirs_releases_it(
    person, owner, target, outcome
):
    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=5))
    meeting.transition(target, by=owner)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.outcome) == (target, outcome)


def test_a_proposed_meeting_can_be_confirmed(person, owner):
    meeting = make_appointment(person, owner, status=S.PROPOSED)
    meeting.transition(S.CONFIRMED)
    assert Appointment.objects.get(pk=meeting.pk).status == S.CONFIRMED
    assert meeting.outcome == Outcome.OPEN


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.CANCELLED_BY_US, S.HELD),
        (S.CANCELLED_BY_THEM, S.HELD),
        (S.HELD, S.MISSED_BY_US),
        (S.MISSED_BY_US, S.HELD),
        (S.HELD, S.CANCELLED_BY_US),
        (S.PROPOSED, S.HELD),
        (S.RESCHEDULED, S.CONFIRMED),
    ],
)
def test_a_transition_the_lifecycle_does_not_allow_is_refused_with_a_reason(
    person, owner, start, target
):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1), status=start)
    with pytest.raises(TransitionRefused) as refused:
        meeting.transition(target)
    assert str(S(start).label) in refused.value.message
    assert str(S(target).label) in refused.value.message
    assert Appointment.objects.get(pk=meeting.pk).status == start


def test_holding_a_cancelled_meeting_is_refused(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
    meeting.transition(S.CANCELLED_BY_US)
    with pytest.raises(TransitionRefused, match="Cancelled by us"):
        meeting.transition(S.HELD)


def test_a_meeting_cannot_be_held_or_missed_before_it_starts(person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(days=1))
    starts_at = meeting.starts_at
    assert S.HELD not in meeting.allowed_next()
    with pytest.raises(TransitionRefused, match="cannot be"):
        meeting.transition(S.MISSED_BY_US)
    with time_machine.travel(starts_at - timedelta(minutes=16), tick=False):
        with pytest.raises(TransitionRefused):
            meeting.transition(S.HELD)
    with time_machine.travel(starts_at - timedelta(minutes=15), tick=False):
        assert S.MISSED_BY_US in meeting.allowed_next()
        meeting.transition(S.MISSED_BY_US)
    assert meeting.status == S.MISSED_BY_US


def test_cancelling_ahead_of_time_is_allowed(person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(days=10))
    assert meeting.allowed_next() == [S.CANCELLED_BY_US, S.CANCELLED_BY_THEM]
    meeting.transition(S.CANCELLED_BY_THEM)
    assert meeting.outcome == Outcome.RELEASED


def test_an_unknown_status_is_refused(person, owner):
    meeting = make_appointment(person, owner)
    with pytest.raises(TransitionRefused, match="not an appointment status"):
        meeting.transition("vanished")


def test_a_stale_copy_cannot_overwrite_a_newer_state(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
    stale = Appointment.objects.get(pk=meeting.pk)
    meeting.transition(S.HELD)
    with pytest.raises(TransitionRefused, match="Someone else changed this"):
        stale.transition(S.MISSED_BY_US)
    assert Appointment.objects.get(pk=meeting.pk).status == S.HELD


def test_moving_an_upcoming_meeting_marks_it_rescheduled_and_links_the_new_one(person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(days=3))
    new_start = timezone.now() + timedelta(days=9)
    successor = meeting.reschedule(new_start, new_start + timedelta(hours=1), by=owner)
    meeting.refresh_from_db()
    assert meeting.status == S.RESCHEDULED
    assert meeting.outcome == Outcome.RELEASED
    assert meeting.successor == successor
    assert (successor.status, successor.starts_at, successor.person) == (
        S.CONFIRMED,
        new_start,
        person,
    )


def test_a_missed_meeting_stays_missed_on_record_when_it_is_moved(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=3))
    meeting.transition(S.MISSED_BY_US)
    new_start = timezone.now() + timedelta(days=4)
    successor = meeting.reschedule(new_start, new_start + timedelta(hours=1))
    meeting.refresh_from_db()
    assert meeting.status == S.MISSED_BY_US
    assert meeting.outcome == Outcome.BROKEN
    assert meeting.successor == successor
    with pytest.raises(TransitionRefused, match="already been moved"):
        meeting.reschedule(new_start, new_start + timedelta(hours=1))


def test_a_held_meeting_cannot_be_moved(person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=3))
    meeting.transition(S.HELD)
    with pytest.raises(TransitionRefused, match="nothing to move"):
        meeting.reschedule(timezone.now(), timezone.now() + timedelta(hours=1))


def test_rescheduled_is_reached_only_by_agreeing_a_new_time(person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(days=3))
    with pytest.raises(TransitionRefused):
        meeting.transition(S.RESCHEDULED)
    assert Appointment.objects.get(pk=meeting.pk).successor is None


def test_they_cannot_have_missed_a_meeting_before_it_starts(person, owner):
    meeting = make_appointment(person, owner, starts_in=timedelta(minutes=10))
    assert S.MISSED_BY_US in meeting.allowed_next()
    assert S.MISSED_BY_THEM not in meeting.allowed_next()
    assert S.HELD not in meeting.allowed_next()


def test_a_new_time_must_lie_ahead_and_keeps_length_and_notes(person, owner):
    meeting = make_appointment(
        person, owner, starts_in=-timedelta(hours=2), notes="Bring the plans"
    )
    meeting.ends_at = meeting.starts_at + timedelta(minutes=90)
    meeting.save()
    with pytest.raises(TransitionRefused, match="in the future"):
        meeting.reschedule(timezone.now() - timedelta(days=1))
    later = timezone.now() + timedelta(days=5)
    successor = meeting.reschedule(later)
    assert successor.ends_at - successor.starts_at == timedelta(minutes=90)
    assert successor.notes == "Bring the plans"
