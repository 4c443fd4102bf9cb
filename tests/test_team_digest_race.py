"""Several workers at once give each owner and manager one team digest, on Monday, never early.

The four-worker test on PostgreSQL once counted 10,001 mails for 10,000 messages: the
extra one was a team digest. Two workers had both found the owner without a schedule;
one wrote the first one (next Monday, no mail), and the other, handling the row it had
found a moment earlier, took that fresh schedule for a due one and mailed the digest at
once. These tests replay that interleaving step by step, in one thread.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from verbind.followthrough.models import TeamDigestSchedule
from verbind.followthrough.steps import TeamDigests, next_monday_morning
from verbind.messaging.models import OutboxMessage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEDNESDAY = datetime(2026, 12, 2, 14, 0, tzinfo=AMSTERDAM)
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def mail_server(settings):
    """A mail server is set up (team digests are only written then); nothing is sent here."""
    settings.EMAIL_HOST = "mail.example.org"


def team_digests():
    return OutboxMessage.objects.filter(idempotency_key__startswith="team-digest")


def test_a_worker_that_found_a_new_manager_just_scheduled_by_another_mails_nothing(
    mail_server, workspace, owner
):
    first, second = TeamDigests(), TeamDigests()
    # Both workers look at the same moment: the owner has no schedule yet.
    found = second.due(WEDNESDAY).get(user=owner)
    assert first(WEDNESDAY) is True  # writes the first schedule: next Monday, no mail
    schedule = TeamDigestSchedule.objects.get(membership=found)
    assert schedule.next_at == next_monday_morning(WEDNESDAY, found.zone)

    second.handle(found, WEDNESDAY)  # the row it found a moment before

    assert not team_digests().exists()
    schedule.refresh_from_db()
    assert schedule.next_at == next_monday_morning(WEDNESDAY, found.zone)


def test_two_workers_on_a_due_schedule_mail_the_team_digest_once(mail_server, workspace, owner):
    membership = owner.memberships.get()
    TeamDigestSchedule.objects.create(membership=membership, next_at=MONDAY_8)
    now = MONDAY_8 + timedelta(minutes=1)
    first, second = TeamDigests(), TeamDigests()
    found = second.due(now).get(pk=membership.pk)
    assert first(now) is True  # mails it and moves the schedule to the Monday after

    second.handle(found, now)

    assert team_digests().count() == 1
    assert TeamDigestSchedule.objects.get(membership=membership).next_at == MONDAY_8 + timedelta(
        days=7
    )
