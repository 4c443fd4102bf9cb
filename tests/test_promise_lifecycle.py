from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import make_promise
from verbind.obligations.models import Outcome, Promise, PromiseStatus, TransitionRefused

P = PromiseStatus


@pytest.mark.parametrize(
    ("target", "outcome"),
    [(P.KEPT, Outcome.KEPT), (P.RELEASED, Outcome.RELEASED), (P.BROKEN, Outcome.BROKEN)],
)
def test_an_open_promise_ends_kept_released_or_broken(promise, owner, target, outcome):
    promise.transition(target, by=owner)
    stored = Promise.objects.get(pk=promise.pk)
    assert (stored.status, stored.outcome) == (target, outcome)
    assert stored.closed_at is not None


@pytest.mark.parametrize("target", [P.KEPT, P.BROKEN, P.OPEN])
def test_a_kept_promise_cannot_change_again(promise, target):
    promise.transition(P.KEPT)
    with pytest.raises(TransitionRefused, match="already “Kept”"):
        promise.transition(target)


def test_an_open_promise_past_its_due_time_shows_as_overdue(person, owner):
    assert make_promise(person, owner, due_in=-timedelta(minutes=1)).is_overdue
    assert not make_promise(person, owner, due_in=timedelta(minutes=1)).is_overdue


def test_appointments_and_promises_share_the_obligation_columns(promise, appointment):
    for obligation in (promise, appointment):
        assert obligation.outcome == Outcome.OPEN
        assert obligation.due is not None
        assert obligation.owner and obligation.person
