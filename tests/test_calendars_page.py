"""The Calendars page as a member reads it: the coming two weeks at a glance, then the forms."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.conftest import make_appointment
from verbind.scheduling.fortnight import fortnight
from verbind.scheduling.models import Absence, BusyBlock, Calendar, CalendarSource
from verbind.scheduling.proposals import propose

NOW = "2026-12-01 08:00:00+00:00"  # Tuesday


@time_machine.travel(NOW, tick=False)
def test_the_next_two_weeks_show_meetings_busy_times_absences_and_held_offers(
    owner, workspace, person
):
    host = owner.memberships.get()
    now = timezone.now()
    make_appointment(person, owner, starts_in=timedelta(days=1, hours=2), title="Coffee")
    calendar = Calendar.objects.create(membership=host, name="Work", source=CalendarSource.UPLOAD)
    BusyBlock.objects.create(
        calendar=calendar,
        membership=host,
        summary="Dentist",
        starts_at=now + timedelta(days=2, hours=4),
        ends_at=now + timedelta(days=2, hours=5),
    )
    Absence.objects.create(
        workspace=workspace,
        membership=host,
        note="Course",
        starts_at=now + timedelta(days=8),
        ends_at=now + timedelta(days=9),
    )
    propose(host, person, "Lunch", [now + timedelta(days=3, hours=3)], timedelta(hours=1))
    days = fortnight(host, now)
    assert len(days) == 14 and days[0].day.isoformat() == "2026-12-01"
    kinds = {d.day.isoformat(): [(b.kind, b.label) for b in d.blocks] for d in days}
    assert kinds["2026-12-02"] == [("meeting", "Coffee — Hans Verbeek")]
    assert ("busy", "Dentist") in kinds["2026-12-03"]
    assert ("held", "Lunch — Hans Verbeek") in kinds["2026-12-04"]
    assert ("away", "Course") in kinds["2026-12-09"] and ("away", "Course") in kinds["2026-12-10"]
    assert days[4].hours == [] and days[5].hours == []  # the weekend: days off


def test_the_page_separates_a_feed_from_a_caldav_account(web):
    page = web.get("/calendars/").content.decode()
    feed = page.split("Follow an ICS feed")[1].split("</details>")[0]
    caldav = page.split("Connect a CalDAV account")[1].split("</details>")[0]
    assert 'name="url"' in feed and 'name="username"' not in feed
    assert 'name="username"' in caldav and 'name="password"' in caldav
    assert "Your next two weeks" in page
