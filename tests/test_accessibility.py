"""WCAG 2.1 AA on every page: axe-core in a real Chromium, signed in and out, Dutch and English,
phone and desktop; no page repeats an id; and the main pages work with the keyboard alone.

axe-core is vendored in tests/assets/axe-core (from its npm package; MPL-2.0)."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD
from verbind.cadences.models import Event, Nudge
from verbind.demo.stories import load_demo
from verbind.desk import visits as desk
from verbind.introductions.flow import drafts as draft_of
from verbind.introductions.flow import introduce
from verbind.messaging import invitations
from verbind.messaging.enqueue import DRAFT, enqueue
from verbind.people.models import Organisation, Person
from verbind.scheduling.proposals import propose
from verbind.scheduling.slots import free_slots

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"
CORPUS = Path(__file__).resolve().parent / "corpus"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

# Every named page of verbind/urls.py is either visited below or named here with the reason it
# is not a page of its own. A new page that is in neither list fails
# test_every_page_is_checked_or_named_as_not_a_page, so it cannot slip past the audit.
SIGNED_IN = {
    "home": lambda d: "/",
    "figure": lambda d: "/figures/silent_drops/",
    "outbox": lambda d: "/outbox/",
    "message": lambda d: f"/outbox/{d['message'].pk}/",
    "people": lambda d: "/people/",
    "quick_add": lambda d: "/people/quick/",
    "person_new": lambda d: "/people/new/",
    "person": lambda d: f"/people/{d['person'].pk}/",
    "person_edit": lambda d: f"/people/{d['person'].pk}/edit/",
    "duplicates": lambda d: "/duplicates/",
    "import": lambda d: "/import/",
    "organisations": lambda d: "/organisations/",
    "organisation_new": lambda d: "/organisations/new/",
    "organisation": lambda d: f"/organisations/{d['organisation'].pk}/",
    "organisation_edit": lambda d: f"/organisations/{d['organisation'].pk}/edit/",
    "settings": lambda d: "/settings/",
    "webhooks": lambda d: "/settings/webhooks/",
    "desk_settings": lambda d: "/desk/settings/",
    "desk_visitor_data": lambda d: f"/desk/visitor-data/?q={d['visit'].visitor_name}",
    "members": lambda d: "/settings/members/",
    "calendars": lambda d: "/calendars/",
    "team": lambda d: "/team/",
    "team_figure": lambda d: f"/team/{d['workspace'].memberships.order_by('pk').first().user_id}/open_repairs/",
    "desk": lambda d: "/desk/",
    "desk_log": lambda d: "/desk/log/",
    "desk_answer": lambda d: f"/desk/visits/{d['visit'].pk}/answer/",
    "introductions": lambda d: "/introductions/",
    "introduction_new": lambda d: "/introductions/new/",
    "introduction": lambda d: f"/introductions/{d['introduction'].pk}/",
    "keeping": lambda d: "/keeping/",
    "nudge": lambda d: f"/keeping/nudges/{d['nudge'].pk}/",
    "event": lambda d: f"/keeping/events/{d['event'].pk}/",
}
SIGNED_OUT = {
    "login": lambda d: "/signin/",
    "password_reset": lambda d: "/signin/reset/",
    "password_reset_done": lambda d: "/signin/reset/sent/",
    "password_reset_confirm": lambda d: "/signin/reset/MQ/no-such-token/",
    "password_reset_complete": lambda d: "/signin/reset/done/",
    "proposal_public": lambda d: f"/p/{d['link']}/",
    "introduction_public": lambda d: f"/i/{d['intro_link']}/",
    "join": lambda d: f"/join/{d['join_link']}/",
}
# Pages reached by a step of a flow: visited in test_pages_met_along_a_flow.
ALONG_A_FLOW = {"import_preview"}
NOT_PAGES = {
    "agenda_action": "a POST action of Today",
    "webhook_resume": "a POST action of the webhooks page",
    "absence_hand_over": "a POST action of the calendars page",
    "webhook_remove": "a POST action of the webhooks page",
    "welcome_seen": "a POST action",
    "message_sent": "a POST action",
    "message_cancel": "a POST action",
    "message_retry": "a POST action",
    "health": "JSON for a supervisor (/health)",
    "message_invite": "a calendar file (.ics)",
    "logout": "a POST action",
    "merge_people": "a POST action",
    "undo_merge": "a POST action",
    "export_vcard": "a file download",
    "export_csv": "a file download",
    "person_action": "POST actions of the person page",
    "appointment_transition": "a POST action",
    "appointment_undo": "a POST action",
    "entry_edit": "a POST action",
    "entry_delete": "a POST action",
    "promise_transition": "a POST action",
    "reschedule": "a POST action",
    "calendar_sync": "a POST action",
    "calendar_remove": "a POST action",
    "absence_remove": "a POST action",
    "absence_offer_all": "a POST action",
    "absence_to_backup": "a POST action",
    "feed_renew": "a POST action",
    "calendar_feed": "a calendar feed (.ics)",
    "revoke_token": "a POST action",
    "unlock_member": "a POST action",
    "switch_workspace": "a POST action",
    "member_role": "a POST action of the members page",
    "member_backup": "a POST action of the members page",
    "member_remove": "a POST action of the members page",
    "invitation_withdraw": "a POST action of the members page",
    "proposal_event": "a calendar file (.ics)",
    "desk_day": "a part of the desk page, polled by it",
    "desk_for_me": "a part of every page (a visitor waiting for you), polled",
    "desk_walk_in": "a POST action",
    "desk_check_in": "a POST action",
    "desk_hand_over": "a POST action",
    "desk_failed": "a POST action",
    "desk_check_out": "a POST action",
    "introduction_act": "POST actions of an introduction",
    "person_ledger_add": "a POST action of the person page",
    "person_ask_add": "a POST action of the person page",
    "ask_close": "a POST action of the person page",
    "keeping_settings": "a POST action",
    "cadence_group_stop": "a POST action",
    "nudge_decide": "a POST action",
    "person_keeping": "POST actions of the person page",
}
# Django's admin and the JSON API are not Verbind's pages; the admin is Django's own.
NOT_OURS = ("admin", "api-1.0.0", "set_language")

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None
    PlaywrightError = Exception



def in_a_browser(test):
    """Mark a test as a browser test that skips, with its reason, where Chromium is missing."""
    for mark in (
        pytest.mark.browser,
        pytest.mark.skipif(
            sync_playwright is None, reason="Playwright's Python package is not installed"
        ),
        pytest.mark.skipif(
            not shutil.which(CHROMIUM),
            reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
        ),
    ):
        test = mark(test)
    return test


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace or entry.app_name:
                continue  # the admin and the API: not pages of ours
            yield from named_patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name


def test_every_page_is_checked_or_named_as_not_a_page():
    known = set(SIGNED_IN) | set(SIGNED_OUT) | ALONG_A_FLOW | set(NOT_PAGES) | set(NOT_OURS)
    unknown = sorted(set(named_patterns()) - known)
    assert not unknown, f"pages the accessibility audit does not visit: {unknown}"


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture
def browser():
    # Playwright runs an event loop in this thread; Django's ORM calls in the test are still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo(owner):
    workspace, _ = load_demo(owner)
    person = Person.objects.in_workspace(workspace).filter(email__gt="").order_by("pk").first()
    organisation = Organisation.objects.filter(workspace=workspace).order_by("pk").first()
    host = owner.memberships.get(workspace=workspace)
    _proposal, link = propose(
        host,
        person,
        "Coffee at De Ruif",
        free_slots(host, timedelta(hours=1)),
        timedelta(hours=1),
        place="De Ruif, Utrecht",
    )
    message, _ = enqueue(
        "a11y-draft",
        workspace_id=workspace.pk,
        purpose="follow_up",
        language="en",
        to_address=person.email,
        subject="Good to see you",
        body="Dear Hans,\n\nGood to see you on Tuesday.\n\nOlga",
        then=DRAFT,
        person=person,
        sender=owner,
    )
    # Someone at the desk for the owner, so the desk shows its script and every page the notice.
    visit = desk.walk_in(workspace, host, owner, name="Piet Passant")
    people = Person.objects.in_workspace(workspace).exclude(email="").order_by("pk")
    introduction = introduce(host, people[1], people[2], "They should meet.", confirm=True)
    question = draft_of(introduction).get()
    _invitation, _mail, join_link = invitations.invite(host, "new.colleague@example.org")
    data = {
        "visit": visit,
        "introduction": introduction,
        "intro_link": question.body.split("/i/")[1].split("/")[0],
        "join_link": join_link.split("/join/")[1].rstrip("/"),
        "workspace": workspace,
        "person": person,
        "organisation": organisation,
        "message": message,
        "link": link,
        "nudge": Nudge.objects.filter(workspace=workspace).first(),
        "event": Event.objects.filter(workspace=workspace).first(),
    }
    yield data
    connections.close_all()


def audit(page, where: str) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page, and any id it repeats."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the page's
        # Content-Security-Policy stays in force and allows no inline script without its nonce.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    repeated = page.evaluate(
        """() => {
            const seen = {};
            for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
            return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
        }"""
    )
    problems = [f"{where}: {line}" for line in found]
    if repeated:
        problems.append(f"{where}: repeated ids {repeated}")
    return problems


def sign_in(page, base, owner):
    page.goto(base + "/signin/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


WIDTHS_AND_LANGUAGES = [(390, "nl-NL"), (1280, "en-GB")]
EVERY_WIDTH_AND_LANGUAGE = [(w, lang) for w in (390, 1280) for lang in ("nl-NL", "en-GB")]


@in_a_browser
@pytest.mark.parametrize(("width", "locale"), EVERY_WIDTH_AND_LANGUAGE)
def test_every_page_meets_wcag_21_aa(live_server, browser, owner, demo, width, locale):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()
    base = live_server.url
    problems = []
    for name, path in SIGNED_OUT.items():
        page.goto(base + path(demo))
        problems += audit(page, f"{name} (signed out)")
    page.goto(base + "/no/such/page/")
    problems += audit(page, "404 (signed out)")
    sign_in(page, base, owner)
    for name, path in SIGNED_IN.items():
        response = page.goto(base + path(demo))
        assert response.status == 200, (name, response.status)
        problems += audit(page, name)
        if name == "home":
            page.screenshot(path=str(_artifact(f"a11y-today-{width}.png")), full_page=True)
    page.goto(base + "/no/such/page/")
    problems += audit(page, "404 (signed in)")
    context.close()
    assert not problems, "\n".join(problems)


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


@in_a_browser
@pytest.mark.parametrize(("width", "locale"), WIDTHS_AND_LANGUAGES)
def test_pages_met_along_a_flow(live_server, browser, owner, demo, width, locale):
    """States a member or relation meets along the way: a form with errors, the import
    preview, the person page's panels open, the link page after booking."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Europe/Amsterdam"
    )
    page = context.new_page()
    base = live_server.url
    problems = []
    # The sign-in page after a wrong password.
    page.goto(base + "/signin/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    problems += audit(page, "login with an error")
    # The link page after booking.
    page.goto(f"{base}/p/{demo['link']}/")
    page.locator("input[name=slot]").first.check()
    page.locator("button[name=book]").click()
    problems += audit(page, "link page, booked")
    page.goto(f"{base}/p/no-such-link-{'x' * 20}/")
    problems += audit(page, "link page, unknown or expired link")
    sign_in(page, base, owner)
    # A form with errors: a new person without a name.
    page.goto(base + "/people/new/")
    page.locator("form:has(#id_name) button[type=submit]").first.click()
    problems += audit(page, "new person with errors")
    # Every panel of the person page open in turn.
    page.goto(f"{base}/people/{demo['person'].pk}/")
    for tab in page.locator("[role=tab]").all():
        tab.click()
        problems += audit(page, f"person page, panel {tab.inner_text()}")
    # The import preview of a real export.
    page.goto(base + "/import/")
    page.set_input_files("input[type=file]", str(CORPUS / "google_contacts.csv"))
    page.locator("form:has(input[type=file]) button[type=submit]").first.click()
    page.wait_for_url("**/import/*/")
    problems += audit(page, "import preview")
    context.close()
    assert not problems, "\n".join(problems)



# --- the keyboard alone -----------------------------------------------------------------------

FOCUS = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const bar = document.querySelector('.topbar');
    const rect = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        role: el.getAttribute('role') || '',
        text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
        classes: el.className || '',
        // A date field's calendar button is focused inside the field's own shadow tree; its
        // focus ring is styled through ::-webkit-calendar-picker-indicator, out of reach here.
        outline: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
            (el.type || '').startsWith('date') && !el.matches(':focus'),
        hidden_by_bar: bar && !bar.contains(el) && !el.matches('.skip-link') ? rect.top < bar.getBoundingClientRect().bottom - 1 : false,
    };
}"""


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll *expression* with page.evaluate: Playwright's wait_for_function evaluates a string
    inside the page, which the Content-Security-Policy rightly refuses (no 'unsafe-eval')."""
    for _ in range(int(timeout * 10)):
        try:
            if page.evaluate(f"() => Boolean({expression})"):
                return
        except PlaywrightError:  # the page is navigating: ask the next one
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def focused(page) -> dict:
    return page.evaluate(FOCUS)


def tab_to(page, matches, limit=80, key="Tab") -> dict:
    """Press Tab (or Shift+Tab) until the focused element *matches*; every stop on the way must
    show its focus and not sit under the top bar."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        assert now["outline"], f"no visible focus on {now}"
        assert not now["hidden_by_bar"], f"focus hidden under the top bar: {now}"
        if matches(now):
            return now
    raise AssertionError(f"never reached the element by {key}")


@in_a_browser
def test_the_person_page_by_keyboard_alone(live_server, browser, owner, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, owner)
    page.goto(f"{base}/people/{demo['person'].pk}/")
    # The first Tab stop skips the eight stops of the top bar.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The quick actions are real tabs: arrows move between them and show their panel.
    tab = tab_to(page, lambda f: f["role"] == "tab")
    assert tab["text"] == "Log contact"
    page.keyboard.press("ArrowRight")
    assert focused(page)["text"] == "Promise"
    assert page.locator("#action-promise").is_visible()
    assert not page.locator("#action-interaction").is_visible()
    page.keyboard.press("End")
    assert focused(page)["text"] == "Offer times"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    # Into the promise panel; an empty promise is refused and focus lands on what is wrong,
    # which is read together with its error.
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Add promise")
    page.keyboard.press("Enter")
    page.wait_for_selector("#action-promise [aria-invalid=true]")
    wait_until(page, "document.activeElement.getAttribute('aria-invalid') === 'true'")
    wrong = page.evaluate(
        "() => [document.activeElement.name, document.activeElement.getAttribute('aria-describedby')]"
    )
    assert wrong[0] == "what"
    error = page.locator(f"#{wrong[1].split()[-1]}")
    assert error.inner_text().strip(), "the error the field points at is not on the page"
    page.keyboard.type("Send Hans the proposal for the new studio")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Add promise")
    page.keyboard.press("Enter")
    page.wait_for_selector("#action-promise .saved")
    wait_until(page, "document.activeElement.classList.contains('saved')")
    wait_until(page, "document.getElementById('announce').textContent.includes('Added to the timeline')")
    assert page.locator("#timeline").inner_text().count("Send Hans the proposal") == 1
    # The account menu opens from the keyboard and closes on Escape, focus back on its button.
    page.focus("details.menu summary")
    page.keyboard.press("Enter")
    assert page.locator("details.menu").get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert page.locator("details.menu").get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    context.close()


@in_a_browser
@pytest.mark.parametrize("width", [390, 1280])
def test_today_by_keyboard_alone(live_server, browser, owner, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="en-GB")
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, owner)
    # Backwards from the end of the page through every stop: each shows its focus and none
    # hides under the sticky top bar ("They answered", "Snooze" and the rest).
    page.keyboard.press("End")
    page.focus(".footer button")
    main_stops = page.evaluate(
        "document.querySelectorAll('main a, main button, main summary, main input').length"
    )
    for _ in range(main_stops):
        page.keyboard.press("Shift+Tab")
        now = focused(page)
        assert now["outline"], f"no visible focus on {now}"
        assert not now["hidden_by_bar"], f"focus hidden under the top bar: {now}"
        if now["text"] == "Skip to content":
            break
    # An action by keyboard: its outcome is focused and read out after the page comes back.
    page.goto(base + "/")
    first = page.locator(".agenda-item button:has-text('Done'), .agenda-item button:has-text('Kept')").first
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    wait_until(page, "document.activeElement.classList.contains('flash-list')")
    assert page.evaluate("document.activeElement.innerText").strip()
    context.close()


@in_a_browser
def test_the_link_page_by_keyboard_alone(live_server, browser, demo):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{demo['link']}/")
    tab_to(page, lambda f: f["tag"] == "input" and "slot" in page.evaluate("document.activeElement.name"))
    page.keyboard.press("ArrowDown")  # arrows choose a time
    chosen = page.evaluate("document.activeElement.checked")
    assert chosen
    page.keyboard.press("Enter")  # and Enter books it
    page.wait_for_selector("h1")
    assert "Tot dan" in page.locator("h1").inner_text()
    context.close()
