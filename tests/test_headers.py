"""Security headers: a Content-Security-Policy with a nonce per request on every page, a
Permissions-Policy, and HSTS preload only when the operator asks. In Chromium the main pages
and the link page work under the policy, with no violation reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import make_appointment
from tests.test_browser import CHROMIUM, browser, sign_in, sync_playwright  # noqa: F401
from verbind.scheduling.proposals import propose
from verbind.scheduling.slots import free_slots

ROOT = Path(__file__).resolve().parent.parent
HOUR = timedelta(hours=1)


def test_every_page_has_a_policy_and_its_inline_scripts_the_nonce(web, person):
    pages = ["/", "/people/", f"/people/{person.pk}/", "/import/", "/calendars/", "/settings/"]
    nonces = set()
    for path in pages:
        answer = web.get(path)
        assert answer.status_code == 200, path
        policy = answer["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        nonces.add(nonce)
        html = answer.content.decode()
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or f'nonce="{nonce}"' in script, (path, script)
        assert " style=" not in html, path
        assert "camera=()" in answer["Permissions-Policy"]
    assert len(nonces) == len(pages)  # a new nonce for each answer
    signin = Client().get("/signin/")
    assert "Content-Security-Policy" in signin and "Permissions-Policy" in signin


def _production(**extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "verbind.settings",
        "VERBIND_DATA_DIR": str(ROOT / "test-artifacts" / "deploy-check"),
        "VERBIND_SECRET_KEY": "a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvw",
        "VERBIND_ALLOWED_HOSTS": "verbind.example.org",
        "VERBIND_HTTPS": "1",
        "VERBIND_SMTP_HOST": "smtp.example.org",
        "DATABASE_URL": "sqlite:///" + str(ROOT / "test-artifacts" / "deploy-check.sqlite3"),
    }
    env.pop("VERBIND_HSTS_PRELOAD", None)
    return {**env, **extra}


def _run(*args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=_production(**extra), capture_output=True, text=True
    )


def test_hsts_preload_only_when_the_operator_asks():
    show = "import verbind.settings as s; print(s.SECURE_HSTS_PRELOAD)"
    assert _run("-c", show).stdout.strip() == "False"
    assert _run("-c", show, VERBIND_HSTS_PRELOAD="1").stdout.strip() == "True"


@pytest.mark.parametrize("preload", ["0", "1"])
def test_the_deploy_check_stays_clean_with_and_without_preload(preload):
    done = _run(
        "-m", "django", "check", "--deploy", "--fail-level", "WARNING", VERBIND_HSTS_PRELOAD=preload
    )
    assert done.returncode == 0, done.stdout + done.stderr


WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


@pytest.mark.browser
@pytest.mark.skipif(sync_playwright is None or not Path(CHROMIUM).exists(), reason="no Chromium")
def test_the_pages_work_in_chromium_with_no_policy_violation(
    live_server,
    browser,  # noqa: F811 - the fixture of tests.test_browser
    owner,
    workspace,
    person,  # noqa: F811
):
    make_appointment(person, owner)
    host = owner.memberships.get()
    _proposal, raw = propose(host, person, "Coffee", free_slots(host, HOUR), HOUR)
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Amsterdam")
    context.add_init_script(WATCH)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    seen = {}

    def visit(path):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        seen[path] = page.evaluate("window.__csp")

    sign_in(page, live_server, owner)
    for path in [
        "/",
        "/people/",
        f"/people/{person.pk}/",
        "/organisations/",
        "/outbox/",
        "/calendars/",
        "/settings/",
        "/duplicates/",
        "/import/",
    ]:
        visit(path)
    # htmx still works under the policy: the search swaps in results as one types.
    visit("/people/")
    page.fill("input[name=q]", person.name[:4])
    page.wait_for_selector(f"#people-results >> text={person.name}")
    seen["/people/ (htmx search)"] = page.evaluate("window.__csp")
    # The inline script of the person page works: the tabs switch panels.
    visit(f"/people/{person.pk}/")
    page.click("[role=tab]:has-text('Appointment')")
    page.wait_for_selector("#action-appointment:not([hidden])")
    seen["/people/ (tabs)"] = page.evaluate("window.__csp")
    # The link page a relation opens, and its booked page.
    visit(f"/p/{raw}/")
    page.locator("input[name=slot]").first.check()
    page.click("button[name=book]")
    page.wait_for_selector("a[href$='meeting.ics']")
    seen["/p/ booked"] = page.evaluate("window.__csp")
    context.close()
    assert all(not found for found in seen.values()), seen
    assert not [line for line in console if "Content Security Policy" in line], console
