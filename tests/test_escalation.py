"""Escalation at the repair deadline: one minute before nothing, at the deadline once, to whom."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import make_appointment
from verbind.followthrough.models import Repair
from verbind.followthrough.steps import handle_one_escalation
from verbind.obligations.models import AppointmentStatus as S
from verbind.worker.loop import Worker
from verbind.workspaces.models import Membership, Role

MINUTE = timedelta(minutes=1)


@pytest.fixture
def repair(person, colleague):
    meeting = make_appointment(person, colleague, starts_in=-timedelta(minutes=5))
    meeting.transition(S.MISSED_BY_US)
    return Repair.objects.get()


def test_it_escalates_at_the_deadline_and_only_once(repair, owner):
    assert handle_one_escalation(repair.deadline_at - MINUTE) is False
    assert handle_one_escalation(repair.deadline_at) is True
    assert handle_one_escalation(repair.deadline_at + MINUTE) is False
    repair.refresh_from_db()
    assert repair.escalated_at == repair.deadline_at
    assert repair.escalated_to == owner  # no backup, no manager: the workspace owner


def test_the_backup_comes_before_a_manager(repair, workspace, owner, colleague):
    from verbind.workspaces.accounts import make_user

    manager = make_user("mia@example.org", "Mia Manager")
    Membership.objects.create(workspace=workspace, user=manager, role=Role.MANAGER)
    handle_one_escalation(repair.deadline_at)
    repair.refresh_from_db()
    assert repair.escalated_to == manager
    second = make_appointment(repair.person, colleague, starts_in=-timedelta(minutes=5))
    second.transition(S.CANCELLED_BY_US)
    membership = colleague.memberships.get()
    membership.backup = owner.memberships.get()
    membership.save()
    later = Repair.objects.get(lapse__appointment=second)
    handle_one_escalation(later.deadline_at)
    later.refresh_from_db()
    assert later.escalated_to == owner


def test_a_repaired_lapse_never_escalates(repair):
    from verbind.followthrough.repairs import close

    close(repair, "answered", note="Talked on the phone")
    assert handle_one_escalation(repair.deadline_at + timedelta(days=1)) is False


def test_one_failing_step_does_not_stop_the_others(repair, caplog):
    def broken(now):
        raise RuntimeError("a bad row")

    worker = Worker()
    worker.steps = [broken, *worker.steps]
    done = worker.run_pass(now=repair.deadline_at)
    assert done["broken"] == 0
    assert done["handle_one_escalation"] == 1
    assert "worker step broken failed" in caplog.text
