"""Behaviour that only PostgreSQL can show; CI runs the whole suite on it too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from tests.conftest import make_appointment
from verbind.obligations.models import Appointment, AppointmentStatus, TransitionRefused

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def needs_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("runs only against PostgreSQL: set DATABASE_URL=postgres://… (.ci/run does)")


def test_the_database_refuses_an_appointment_that_ends_before_it_starts(person, owner):
    from django.db import IntegrityError, transaction

    meeting = make_appointment(person, owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=meeting.pk).update(
            ends_at=meeting.starts_at - timedelta(hours=1)
        )


@pytest.mark.django_db(transaction=True)
def test_two_sessions_racing_to_change_one_meeting_cannot_both_win(person, owner):
    """Compare-and-set in real concurrent transactions: the second writer is refused."""
    import threading

    meeting = make_appointment(person, owner, starts_in=-timedelta(minutes=20))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(target):
        copy = Appointment.objects.get(pk=meeting.pk)
        barrier.wait()
        try:
            copy.transition(target)
            results.append(target)
        except TransitionRefused:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(t,))
        for t in (AppointmentStatus.HELD, AppointmentStatus.MISSED_BY_US)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count("refused") == 1
    winner = next(r for r in results if r != "refused")
    assert Appointment.objects.get(pk=meeting.pk).status == winner
