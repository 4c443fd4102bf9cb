"""A real Chromium through story 3: on a phone in Dutch and on a desktop in English, a member
introduces Eva to Joost, both answer on their private links, the joint message goes, and the
ledger on Joost's page shows what he gave. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.test_browser import ARTIFACTS, browser  # noqa: F401  (the shared Chromium fixture)
from tests.test_browser import pytestmark as browser_marks
from verbind.introductions.models import Introduction, IntroState
from verbind.messaging.models import OutboxMessage
from verbind.people.models import Organisation, Person

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the machine
    expect = None

pytestmark = browser_marks


@pytest.fixture
def network(workspace):
    koers = Organisation.objects.create(workspace=workspace, name="Koers Coaching")
    return {
        "eva": Person.objects.create(
            workspace=workspace, name="Eva Jansen", email="eva@koers.example",
            organisation=koers, language="nl",
        ),
        "joost": Person.objects.create(
            workspace=workspace, name="Joost Hermans", email="joost@hermans.example",
            language="en",
        ),
    }


def page_for(browser, width, locale):  # noqa: F811
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 900},
        locale=locale,
        timezone_id="Europe/Amsterdam",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    return context, context.new_page()


def sign_in(page, live_server, owner):
    page.goto(live_server.url + "/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def link_of(message: OutboxMessage) -> str:
    return re.search(r"(/i/[A-Za-z0-9_\-]+/)", message.body)[1]


def fits(page):
    """Nothing sticks out sideways: the page is as wide as the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize(
    "width,locale,words",
    [
        (390, "nl-NL", {"new": "Twee mensen aan elkaar voorstellen", "send": "Versturen",
                        "both": "Allebei versturen", "yes": "Ja, graag", "answer": "Verstuur mijn antwoord",
                        "give": "Geven en krijgen", "help": "tijd"}),
        (1280, "en-GB", {"new": "Introduce two people", "send": "Send it", "both": "Send both",
                         "yes": "Yes, gladly", "answer": "Send my answer", "give": "Give and get",
                         "help": "time"}),
    ],
)
def test_a_member_introduces_two_people_who_both_say_yes(
    live_server, browser, owner, workspace, network, width, locale, words  # noqa: F811
):
    tag = f"{width}-{locale[:2]}"
    context, page = page_for(browser, width, locale)
    eva, joost = network["eva"], network["joost"]
    sign_in(page, live_server, owner)
    page.goto(live_server.url + "/introductions/")
    fits(page)
    page.click(f"text={words['new']}")
    page.select_option("#id_a", str(eva.pk))
    page.select_option("#id_b", str(joost.pk))
    page.fill("#id_why", "Eva starts as a coach on a small budget; Joost knows marketing for starters.")
    shot(page, f"intro-new-{tag}")
    page.click("form.grid-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Eva Jansen")
    expect(page.locator(".intro-draft")).to_contain_text("joost@hermans.example")
    fits(page)
    shot(page, f"intro-draft-to-b-{tag}")
    page.click(f"button:has-text('{words['send']}')")
    intro = Introduction.objects.get()
    assert intro.asked_b_at is not None

    # Joost answers on his phone-sized page, in English (his language)
    joost_page = context.new_page()
    joost_page.goto(live_server.url + link_of(OutboxMessage.objects.get(idempotency_key=f"intro:{intro.pk}:ask_b")))
    expect(joost_page.locator("h1")).to_have_text("Would you like to meet Eva Jansen?")
    fits(joost_page)
    shot(joost_page, f"intro-link-b-{tag}")
    joost_page.fill("#intro-note", "Happy to help a starter.")
    joost_page.click("button[type=submit]")
    expect(joost_page.locator("h1")).to_have_text("Thank you")

    page.reload()
    expect(page.locator(".intro-draft")).to_contain_text("eva@koers.example")
    page.click(f"button:has-text('{words['send']}')")
    eva_page = context.new_page()
    eva_page.goto(live_server.url + link_of(OutboxMessage.objects.get(idempotency_key=f"intro:{intro.pk}:ask_a")))
    expect(eva_page.locator("h1")).to_have_text("Wil je Joost Hermans ontmoeten?")
    shot(eva_page, f"intro-link-a-{tag}")
    eva_page.click("button[type=submit]")

    page.reload()
    expect(page.locator(".intro-draft")).to_have_count(2)
    shot(page, f"intro-joint-{tag}")
    page.click(f"button:has-text('{words['both']}')")
    intro.refresh_from_db()
    assert intro.state == IntroState.INTRODUCED
    shot(page, f"intro-introduced-{tag}")

    # the ledger on Joost's page: one click logs the time he gave
    page.goto(live_server.url + joost.get_absolute_url())
    page.click("#ledger summary")
    page.locator("#ledger form").first.locator(f"button:has-text('{words['help']}')").click()
    expect(page.locator("#ledger")).to_contain_text(words["give"])
    expect(page.locator("#ledger svg rect.got")).to_have_count(1)
    fits(page)
    shot(page, f"person-ledger-{tag}")
    page.goto(live_server.url + "/")
    fits(page)
    shot(page, f"today-{tag}")
    context.close()


@pytest.mark.parametrize("width,locale", [(390, "nl-NL"), (1280, "en-GB")])
def test_the_demo_shows_story_3_on_today_and_on_joosts_page(live_server, browser, db, width, locale):  # noqa: F811
    from verbind.demo.stories import load_demo
    from verbind.workspaces.accounts import make_user

    chair = make_user("chair@example.org", "Claire Chair", PASSWORD)
    workspace, _new = load_demo(chair)
    tag = f"{width}-{locale[:2]}"
    context, page = page_for(browser, width, locale)
    sign_in(page, live_server, chair)
    thanks = "Bedank Joost Hermans" if locale.startswith("nl") else "Thank Joost Hermans"
    expect(page.locator(".rule-introduction")).to_contain_text(thanks)
    expect(page.locator(".rule-match")).to_have_count(1)
    expect(page.locator(".rule-give_back")).to_contain_text("Joost Hermans")
    fits(page)
    shot(page, f"demo-today-{tag}")
    page.locator(".rule-introduction a.button").click()
    expect(page.locator(".intro-draft")).to_contain_text("joost@hermans.example")
    fits(page)
    shot(page, f"demo-introduction-{tag}")
    joost = Person.objects.get(workspace=workspace, email="joost@hermans.example")
    page.goto(live_server.url + joost.get_absolute_url())
    expect(page.locator("#ledger svg rect.got")).to_have_count(3)
    fits(page)
    shot(page, f"demo-joost-{tag}")
    page.goto(live_server.url + joost.organisation.get_absolute_url())
    shot(page, f"demo-organisation-{tag}")
    page.goto(live_server.url + "/introductions/?show=all")
    fits(page)
    shot(page, f"demo-introductions-{tag}")
    context.close()
