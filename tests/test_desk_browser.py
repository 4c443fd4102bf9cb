"""The desk on a tablet (768 px): check a visitor in, see the host's answer arrive without
reloading, and record a visit that failed on our side."""

from __future__ import annotations

from datetime import timedelta

from django.db import connections
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_accessibility import (  # noqa: F401
    ARTIFACTS,
    browser,
    in_a_browser,
    sign_in,
    wait_until,
)
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Person
from verbind.workspaces.accounts import make_user
from verbind.workspaces.models import Membership, Role


def meeting(workspace, owner, name, title, minutes_from_now):
    person = Person.objects.create(
        workspace=workspace, name=name, email=f"{name.split()[0].lower()}@example.org"
    )
    starts = timezone.now() + timedelta(minutes=minutes_from_now)
    return Appointment.objects.create(
        workspace=workspace, person=person, owner=owner, title=title,
        starts_at=starts, ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.CONFIRMED,
    )


@in_a_browser
def test_the_desk_on_a_tablet(live_server, browser, workspace, owner):  # noqa: F811
    rita = make_user("rita@example.org", "Rita Reception", PASSWORD)
    Membership.objects.create(workspace=workspace, user=rita, role=Role.RECEPTION)
    linda = meeting(workspace, owner, "Linda Bakker", "Studio tour", 3)
    noor = meeting(workspace, owner, "Noor Jansen", "Choosing the fabrics", 5)
    base = live_server.url
    tablet = browser.new_context(viewport={"width": 768, "height": 1024}, locale="en-GB")
    at_desk = tablet.new_page()
    sign_in(at_desk, base, rita)
    at_desk.click("nav >> text=Desk")
    row = at_desk.locator(f"#desk-appointment-{linda.pk}")
    assert "Linda Bakker" in row.inner_text() and "for Olga Owner" in row.inner_text()
    row.locator("button:has-text('Check in')").click()
    wait_until(at_desk, "document.activeElement.classList.contains('flash-list')")
    assert "Linda Bakker checked in; Olga Owner has been told." in at_desk.locator(".flash-list").inner_text()
    # The host, on whatever page she has open, sees the visitor and answers in one tap.
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    host = laptop.new_page()
    sign_in(host, base, owner)
    notice = host.locator("#desk-ping .visitor-notice")
    notice.wait_for()
    assert "Linda Bakker is at the desk for you." in notice.inner_text()
    notice.locator("button:has-text('5 minutes')").click()
    # The desk sees it without reloading (the list refreshes itself).
    row.locator("text=Host in 5 minutes").wait_for(timeout=20_000)
    # The second visitor: the host cannot come; the desk gets its script and records the failure.
    at_desk.locator(f"#desk-appointment-{noor.pk} button:has-text('Check in')").click()
    host.reload()
    host.locator("#desk-ping .visitor-notice:has-text('Noor Jansen') button:has-text('hand over')").click()
    script = at_desk.locator(f"#desk-appointment-{noor.pk} .desk-script")
    script.wait_for(timeout=20_000)
    assert "Shall I put you through?" in script.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    at_desk.screenshot(path=str(ARTIFACTS / "desk-tablet.png"), full_page=True)
    script.locator("button:has-text('visit failed')").click()
    wait_until(at_desk, "document.activeElement.classList.contains('flash-list')")
    assert "owes Noor Jansen an apology with new dates within a day" in at_desk.locator(".flash-list").inner_text()
    noor.refresh_from_db()
    assert noor.status == AppointmentStatus.MISSED_BY_US
    # Nothing is pushed sideways on the tablet.
    assert at_desk.evaluate("document.documentElement.scrollWidth") <= 768
    tablet.close()
    laptop.close()
    connections.close_all()
