"""Inviting a colleague and joining, on a phone (390 px) in Dutch: the owner invites from
Settings → Leden, the colleague opens the link, makes an account and lands on Vandaag."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.test_accessibility import (  # noqa: F401
    ARTIFACTS,
    audit,
    browser,
    in_a_browser,
    sign_in,
)
from verbind.workspaces.models import Membership, Role

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "nl-NL",
         "timezone_id": "Europe/Amsterdam"}


@in_a_browser
def test_inviting_and_joining_on_a_phone_in_dutch(live_server, browser, workspace, owner):  # noqa: F811
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    olga = browser.new_context(**PHONE).new_page()
    sign_in(olga, base, owner)
    olga.goto(base + "/settings/")
    olga.click("text=Leden")
    olga.fill("#id_invite-email", "sanne@example.org")
    olga.select_option("#id_invite-role", "manager")
    olga.select_option("#id_invite-language", "nl")
    olga.click("button:has-text('Verstuur de uitnodiging')")
    # No mail server here: the link is shown once, to pass on by hand.
    link = olga.locator(".newkey code.token").inner_text().strip()
    assert "/join/" in link
    assert "sanne@example.org" in olga.locator("text=Uitgenodigd, nog niet aangemeld >> xpath=..").inner_text()
    olga.screenshot(path=str(ARTIFACTS / "members-phone-nl.png"), full_page=True)
    problems = audit(olga, "members page with a new invitation")
    assert olga.evaluate("document.documentElement.scrollWidth") <= 390
    sanne = browser.new_context(**PHONE).new_page()
    sanne.goto(base + "/join/" + link.split("/join/")[1])
    assert "Olga Owner nodigt je uit als beheerder" in sanne.content()
    sanne.screenshot(path=str(ARTIFACTS / "join-phone-nl.png"), full_page=True)
    sanne.fill("#id_full_name", "Sanne de Vries")
    sanne.fill("#id_password1", PASSWORD)
    sanne.fill("#id_password2", "not the same")
    sanne.click("button:has-text('Maak mijn account en doe mee')")
    assert "De twee wachtwoorden verschillen." in sanne.content()
    problems += audit(sanne, "join page with an error")
    sanne.fill("#id_password1", PASSWORD)
    sanne.fill("#id_password2", PASSWORD)
    sanne.click("button:has-text('Maak mijn account en doe mee')")
    sanne.wait_for_url(base + "/")
    assert "Welkom bij Olga's network" in sanne.content()
    sanne.screenshot(path=str(ARTIFACTS / "joined-phone-nl.png"), full_page=True)
    joined = Membership.objects.get(user__username="sanne@example.org")
    assert joined.role == Role.MANAGER
    # Olga sees her among the members, as manager, and makes her own backup Sanne.
    olga.goto(base + "/settings/members/")
    card = olga.locator(f"section[aria-labelledby=member-{joined.user_id}]")
    assert "Beheerder" in card.inner_text()
    mine = olga.locator(f"section[aria-labelledby=member-{owner.pk}]")
    mine.locator("select[name$=backup]").select_option(label="Sanne de Vries")
    mine.locator("button:has-text('Vervanger bewaren')").click()
    assert "Sanne de Vries valt nu in voor Olga Owner." in olga.content()
    olga.screenshot(path=str(ARTIFACTS / "members-backup-phone-nl.png"), full_page=True)
    assert not problems, "\n".join(problems)
