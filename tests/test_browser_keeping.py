"""Keeping in touch in a real Chromium: the demo's story 4 on a phone in Dutch and on a
desktop in English — Today, a nudge's draft, the person and organisation pages with their
health chart, the keeping-in-touch page, and capturing someone at an event."""

from __future__ import annotations

import pytest
from django.db import connections

from tests.conftest import PASSWORD
from tests.test_browser import ARTIFACTS, browser, pytestmark, sign_in  # noqa: F401
from verbind.demo.stories import load_demo
from verbind.people.models import Organisation, Person
from verbind.workspaces.accounts import make_user


@pytest.fixture
def chair(db):
    user = make_user("chair@club.example", "Carla Chair", PASSWORD)
    load_demo(user)
    return user


@pytest.mark.parametrize(
    ("width", "locale", "words"),
    [
        (390, "nl-NL", {"nav": "Contact houden", "cold": "Raakt uit beeld", "step": "Stap 3 van 3",
                        "health": "Gezondheid van de relatie", "met": "Hier iemand ontmoet",
                        "saved": "Noor Bakker"}),
        (1280, "en-GB", {"nav": "Keeping in touch", "cold": "Going cold", "step": "Step 3 of 3",
                         "health": "Relationship health", "met": "Met someone here",
                         "saved": "Noor Bakker"}),
    ],
)
def test_story_4_on_a_phone_in_dutch_and_a_desktop_in_english(
    live_server, browser, chair, width, locale, words  # noqa: F811
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()
    sign_in(page, live_server, chair)
    ARTIFACTS.mkdir(exist_ok=True)
    shots = []

    def look(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        ids = page.evaluate(
            "Array.from(document.querySelectorAll('[id]')).map(e => e.id)"
        )
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))
        unlabelled = page.evaluate(
            """Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
               .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
               .map(e => e.name)"""
        )
        assert unlabelled == [], (name, unlabelled)
        path = ARTIFACTS / f"keeping-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    assert words["nav"] in page.locator("nav.mainnav").inner_text()
    assert words["cold"] in page.content()
    look("today")
    step = page.locator("li.rule-nudges_due, li.rule-nudge_step_due").filter(
        has_text=words["step"]
    )
    step.get_by_role("button").first.click()  # Open draft
    page.wait_for_url("**/outbox/**")
    body = page.locator("textarea").first.input_value()
    assert "Kan ik je ergens mee helpen?" in body and "lid worden van de club" in body
    look("nudge-draft")
    mark = Person.objects.get(name="Mark de Boer")
    page.goto(live_server.url + mark.get_absolute_url())
    assert words["health"] in page.content()
    # a bar for each month he was in touch (the call, the summer wish...), a point per month
    assert 2 <= page.locator("svg.year-chart rect.touch-bar").count() <= 12
    points = page.locator("svg.year-chart polyline.line").get_attribute("points")
    assert len(points.split()) == 12
    look("person")
    club = Organisation.objects.get(name="Ondernemersclub Utrecht-Oost")
    page.goto(live_server.url + club.get_absolute_url())
    assert page.locator("svg.year-chart").count() == 1
    look("organisation")
    page.goto(live_server.url + "/keeping/")
    look("keeping")
    page.locator("a[href*='/keeping/events/']").first.click()
    assert words["met"] in page.content()
    page.fill("#id_name", "Noor Bakker")
    page.fill("#id_talked", "Wants to sponsor the spring fair")
    page.fill("#id_reach", "noor@bakker-events.example")
    page.get_by_role("button", name="Opslaan" if locale == "nl-NL" else "Save").click()
    page.wait_for_load_state()
    assert words["saved"] in page.content()
    look("event")
    page.goto(live_server.url + "/")
    assert "Noor Bakker" in page.content()  # her nice-to-meet-you is on Today
    context.close()
    connections.close_all()
    assert all(path.exists() for path in shots)
