"""The daily digest: at each member's morning hour, in their own zone, also across DST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tests.conftest import make_promise
from verbind.followthrough.steps import handle_one_digest, next_morning
from verbind.messaging.models import OutboxMessage
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")


def test_the_next_morning_is_8_local_time_on_both_sides_of_dst():
    before = datetime(2026, 10, 24, 9, 0, tzinfo=AMS)
    assert next_morning(before, 8, AMS) == datetime(2026, 10, 25, 8, 0, tzinfo=AMS)
    assert next_morning(before, 8, AMS).utcoffset() == timedelta(hours=1)  # winter time now
    spring = datetime(2026, 3, 28, 9, 0, tzinfo=AMS)
    assert next_morning(spring, 8, AMS).utcoffset() == timedelta(hours=2)
    assert next_morning(datetime(2026, 3, 29, 7, 59, tzinfo=AMS), 8, AMS).day == 29


def test_a_digest_goes_out_at_the_members_morning_hour(smtp, owner, workspace, person):
    membership = owner.memberships.get()
    membership.time_zone = "America/New_York"
    membership.digest_hour = 7
    membership.save()
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=NYC), tick=False):
        make_promise(person, owner, due_in=timedelta(hours=20), what="Send Hans the plans")
        assert (
            handle_one_digest(datetime.now(tz=NYC)) is True
        )  # first sight: only plans the next one
        assert not OutboxMessage.objects.exists()
    membership.refresh_from_db()
    assert membership.next_digest_at == datetime(2026, 12, 3, 7, 0, tzinfo=NYC)
    with time_machine.travel(datetime(2026, 12, 3, 6, 59, tzinfo=NYC), tick=False):
        Worker().run_pass()
        assert not smtp.messages
    with time_machine.travel(datetime(2026, 12, 3, 7, 0, tzinfo=NYC), tick=False):
        Worker().run_pass()
        Worker().run_pass()  # and not twice
    [digest] = smtp.messages
    assert digest["To"] == owner.email
    assert "Send Hans the plans" in digest.get_content()
    assert "Today in Verbind" in digest["Subject"]


def test_no_digest_when_nothing_is_due(smtp, owner, workspace):
    membership = owner.memberships.get()
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=AMS), tick=False):
        Worker().run_pass()
    with time_machine.travel(datetime(2026, 12, 3, 8, 0, tzinfo=AMS), tick=False):
        Worker().run_pass()
    assert not smtp.messages
    membership.refresh_from_db()
    assert membership.next_digest_at == datetime(2026, 12, 4, 8, 0, tzinfo=AMS)
