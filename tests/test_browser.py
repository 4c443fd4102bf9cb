"""A real Chromium at phone width: sign in, add a person, add an appointment, mark it missed by us."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from tests.conftest import PASSWORD
from verbind.obligations.models import Appointment

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        sync_playwright is None, reason="Playwright's Python package is not installed"
    ),
    pytest.mark.skipif(
        not shutil.which(CHROMIUM),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]


@pytest.fixture
def browser():
    # Playwright runs an event loop in this thread; Django's ORM calls in the test are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        timezone_id="Europe/Amsterdam",
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, owner) -> None:
    page.goto(live_server.url + "/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_member_adds_a_person_and_an_appointment_and_marks_it_missed_by_us(
    live_server, phone, owner, workspace
):
    page = phone
    sign_in(page, live_server, owner)
    expect(page.locator("h1")).to_have_text("Today")

    page.click("nav >> text=People")
    page.click("text=Add a person")
    page.fill("#id_name", "Linda Bakker")
    page.fill("#id_email", "linda@bakkerco.example")
    page.fill("#id_phone", "06 23456789")
    page.click("button:has-text('Save')")
    expect(page.locator("h1")).to_have_text("Linda Bakker")
    expect(page.locator(".contact")).to_contain_text("+31 6 23456789")

    page.click("[role=tab]:has-text('Appointment')")
    panel = page.locator("#action-appointment")
    started = timezone.localtime() - timedelta(minutes=30)
    panel.locator("input[name=title]").fill("Studio tour and lunch")
    panel.locator("input[name=starts_at]").fill(started.strftime("%Y-%m-%dT%H:%M"))
    panel.locator("input[name=place]").fill("Oudegracht 112, Utrecht")
    panel.locator("button:has-text('Add appointment')").click()
    expect(page.locator("#action-appointment .saved")).to_be_visible()
    entry = page.locator("#timeline .entry-appointment")
    expect(entry).to_contain_text("Studio tour and lunch")
    expect(entry.locator(".state")).to_have_text("Confirmed")

    entry.locator("button:has-text('Missed by us')").click()
    expect(page.locator("#timeline .entry-appointment .state")).to_have_text("Missed by us")
    notice = page.locator("#timeline .after-change")
    expect(notice).to_contain_text("Repair opened: apologise to Linda Bakker by")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "person-phone.png"), full_page=True)
    # The apology, sent unchanged through the real form (the browser sends CRLF line ends),
    # names the dates once.
    notice.locator("button:has-text('Open draft')").click()
    expect(page.locator("textarea[name=body]")).to_be_visible()
    page.click("button[name=send]")
    expect(page.locator("text=Mark sent")).to_be_visible()

    meeting = Appointment.objects.get(title="Studio tour and lunch")
    assert (meeting.status, meeting.outcome, meeting.changed_by) == (
        "missed_by_us",
        "broken",
        owner,
    )
    assert meeting.person.phone == "+31623456789"
    from verbind.messaging.models import OutboxMessage

    body = OutboxMessage.objects.get(purpose="apology").body
    blocks = body.count("Would one of these times suit you?") + body.count(
        "Past een van deze momenten jou?"
    )
    assert blocks == 1 and "\r" not in body
    # Under Playwright's sync API the ORM runs in another context and opens a connection of
    # its own; close it here, or PostgreSQL refuses to drop the test database afterwards.
    connections.close_all()
    # Nothing overflows sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_relation_picks_a_time_from_the_link_on_a_phone(
    live_server, phone, owner, workspace, smtp
):
    """Open the link at phone width, pick the second time, see the confirmation; the invite
    arrives at a real SMTP server and reads as a REQUEST for exactly that time."""
    from datetime import UTC

    import icalendar

    from verbind.people.models import Person
    from verbind.scheduling.proposals import propose
    from verbind.scheduling.slots import free_slots
    from verbind.worker.loop import Worker

    linda = Person.objects.create(
        workspace=workspace, name="Linda Bakker", language="nl", email="linda@bakker.example"
    )
    host = owner.memberships.get()
    proposal, raw = propose(
        host,
        linda,
        "Rondleiding",
        free_slots(host, timedelta(hours=1)),
        timedelta(hours=1),
        place="Showroom, Gouda",
    )
    page = phone
    page.goto(f"{live_server.url}/p/{raw}/")
    expect(page.locator("h1")).to_have_text("Rondleiding")
    page.screenshot(path=str(ARTIFACTS / "proposal-phone.png"), full_page=True)
    page.locator(".slot").nth(1).click()
    page.locator("button[name=book]").click()
    expect(page.locator("h1")).to_have_text("Tot dan!")
    page.screenshot(path=str(ARTIFACTS / "proposal-booked-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    second = proposal.slots.all()[1]
    assert Appointment.objects.get(person=linda).starts_at == second.starts_at
    Worker().run_pass()
    [invite] = smtp.to("linda@bakker.example")
    [part] = [p for p in invite.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    [event] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == second.starts_at.astimezone(UTC)
    assert event.decoded("DTEND") == second.ends_at.astimezone(UTC)
    assert str(event["LOCATION"]) == "Showroom, Gouda"
    connections.close_all()


def test_at_an_event_a_member_captures_someone_on_a_phone_and_is_back_for_the_next(
    live_server, phone, owner, workspace
):
    page = phone
    sign_in(page, live_server, owner)
    page.click("text=Met someone")
    page.fill("input[name=name]", "Olivia Hart")
    page.fill("input[name=talked]", "Hotel project in Amsterdam next spring")
    page.fill("input[name=reach]", "olivia@hart.example")
    page.check("input[name=follow_up][value='1']")
    page.click("button:has-text('Save')")
    expect(page.locator(".flash")).to_contain_text("Saved Olivia Hart. Next one?")
    expect(page.locator("input[name=name]")).to_have_value("")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quick-add-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    from verbind.obligations.models import Promise

    assert Promise.objects.get().what == "Follow up with Olivia"
    connections.close_all()


@pytest.mark.parametrize(
    ("width", "locale", "words"),
    [
        (390, "nl-NL", ["Vandaag", "Postvak uit", "Instellingen"]),
        (1280, "en-GB", ["Today", "Outbox", "Settings"]),
    ],
)
def test_every_page_a_new_member_meets_fits_the_screen_in_their_language(
    live_server, browser, owner, workspace, person, width, locale, words
):
    """Today, People, a person, Met someone, Outbox, Calendars, Import and Settings: nothing
    pushes the page sideways, and the navigation speaks the page's language."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    sign_in(page, live_server, owner)
    ARTIFACTS.mkdir(exist_ok=True)
    for path in (
        "/",
        "/people/",
        person.get_absolute_url(),
        "/people/quick/",
        "/outbox/",
        "/calendars/",
        "/import/",
        "/settings/",
    ):
        page.goto(live_server.url + path)
        nav = page.locator("nav.mainnav").inner_text()
        assert all(word in nav for word in words), (path, nav)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        name = path.strip("/").replace("/", "-") or "today"
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{width}.png"), full_page=True)
    context.close()
    connections.close_all()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()
    yield page
    context.close()


def test_on_a_desktop_the_relation_picks_nothing_by_default_then_changes_the_time(
    live_server, desktop, owner, workspace
):
    """Nothing is chosen for them; booking without a pick asks for one; the confirmation puts
    it in their calendar; 'choose another time' shows fresh times on a new link."""
    from verbind.obligations.models import Appointment
    from verbind.people.models import Person
    from verbind.scheduling.proposals import propose
    from verbind.scheduling.slots import free_slots

    ann = Person.objects.create(workspace=workspace, name="Ann Smith", language="en")
    host = owner.memberships.get()
    _proposal, raw = propose(
        host,
        ann,
        "Studio visit",
        free_slots(host, timedelta(hours=1)),
        timedelta(hours=1),
        place="Oudegracht 112, Utrecht",
    )
    page = desktop
    page.goto(f"{live_server.url}/p/{raw}/")
    expect(page.locator(".invited-by")).to_contain_text("Olga Owner")
    expect(page.locator(".meeting-facts")).to_contain_text("Oudegracht 112, Utrecht")
    assert page.locator("input[name=slot]:checked").count() == 0
    page.locator(".slot").first.click()
    page.locator("button[name=book]").click()
    expect(page.locator("h1")).to_have_text("See you then!")
    expect(page.locator("a:has-text('Google')")).to_be_visible()
    page.click("summary:has-text('Change or cancel')")
    page.click("button:has-text('Choose another time')")
    expect(page.locator("h1")).to_have_text("Studio visit")
    assert page.locator(".slot").count() == 3
    assert page.url != f"{live_server.url}/p/{raw}/"  # a fresh link, on the same address
    assert page.url.startswith(live_server.url)
    assert Appointment.objects.get().status == "cancelled_by_them"
    connections.close_all()


def test_on_a_desktop_a_mistaken_missed_by_us_is_undone(live_server, desktop, owner, person):
    from tests.conftest import make_appointment
    from verbind.followthrough.models import Repair

    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=1))
    page = desktop
    sign_in(page, live_server, owner)
    page.goto(live_server.url + person.get_absolute_url())
    page.locator("#timeline .entry-appointment button:has-text('Missed by us')").click()
    notice = page.locator("#timeline .after-change")
    expect(notice).to_contain_text("Repair opened: apologise to Hans Verbeek by")
    notice.locator("button:has-text('Undo')").click()
    expect(page.locator("#timeline")).to_contain_text("is “Confirmed” again")
    meeting.refresh_from_db()
    assert meeting.status == "confirmed" and Repair.objects.get().closed_because == "undone"
    connections.close_all()
