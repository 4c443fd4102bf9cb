"""Wrong passwords lock an account and an address for a growing while; the person is told
plainly (English and Dutch) for how long; an owner or `verbind unlock` lifts it; API tokens
cannot be guessed without limit; a forgotten password is reset by an e-mailed link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, ApiClient
from verbind.workspaces.accounts import make_user
from verbind.workspaces.models import ApiToken, Membership, Role, SignInFailures
from verbind.workspaces.throttle import lock_after

# Part of the fault suite (`pytest -m faults`): the role matrix, the limits, attacks.
pytestmark = [pytest.mark.django_db, pytest.mark.faults]

WRONG = "not my password"


def sign_in(email, password, address="203.0.113.7", language="en"):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=language)
    answer = client.post("/signin/", {"username": email, "password": password})
    return client, answer


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_rule_grows_from_one_minute_to_an_hour():
    assert [lock_after(n, 5) for n in (1, 4)] == [None, None]
    minutes = [lock_after(n, 5) / timedelta(minutes=1) for n in range(5, 13)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_fifty_wrong_passwords_then_the_right_one_is_refused(owner):
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(50):
            _client, answer = sign_in(owner.email, WRONG)
            assert answer.status_code == (200 if n < 4 else 429), n
        client, answer = sign_in(owner.email, PASSWORD)
    assert answer.status_code == 429 and not signed_in(client)
    said = answer.content.decode()
    assert "Too many wrong passwords for this account" in said
    assert "locked for 1 minute" in said and "reset your password by e-mail" in said
    # Tries while locked are refused before the password is checked, and do not count.
    assert SignInFailures.objects.get(scope="account").failures == 5


def test_the_lock_grows_and_the_right_password_after_it_is_let_in(owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            sign_in(owner.email, WRONG)
        clock.shift(timedelta(seconds=61))
        _client, answer = sign_in(owner.email, WRONG)
        assert "locked for 2 minutes" in answer.content.decode()
        clock.shift(timedelta(seconds=121))
        _client, answer = sign_in(owner.email, WRONG)
        assert "locked for 4 minutes" in answer.content.decode()
        clock.shift(timedelta(minutes=4, seconds=1))
        client, answer = sign_in(owner.email, PASSWORD)
        assert answer.status_code == 302 and signed_in(client)
        assert not SignInFailures.objects.filter(scope="account").exists()  # forgotten
        clock.shift(timedelta(days=2))
        for _ in range(4):  # yesterday's wrong tries on the address are forgotten too
            _client, answer = sign_in(owner.email, WRONG)
        assert answer.status_code == 200


def test_one_address_trying_many_accounts_is_locked_too(owner):
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(20):
            sign_in(f"guess{n}@example.org", WRONG)
        client, answer = sign_in(owner.email, PASSWORD)
        assert answer.status_code == 429 and not signed_in(client)
        assert "from this address" in answer.content.decode()
        elsewhere, answer = sign_in(owner.email, PASSWORD, address="198.51.100.9")
        assert signed_in(elsewhere)


def test_the_lock_is_said_in_dutch(owner):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(6):
            _client, answer = sign_in(owner.email, WRONG, language="nl")
    said = answer.content.decode()
    assert "Te veel verkeerde wachtwoorden voor dit account" in said
    assert "1 minuut" in said


def test_an_owner_unlocks_a_colleague_in_settings(owner, workspace, colleague):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            sign_in(colleague.email, WRONG)
        owner_web = Client()
        owner_web.force_login(owner)
        page = owner_web.get("/settings/").content.decode()
        assert "Locked sign-ins" in page and "Cees Colleague" in page
        owner_web.post(f"/settings/unlock/{colleague.pk}/")
        client, _answer = sign_in(colleague.email, PASSWORD)
        assert signed_in(client)
    member_web = Client()
    member_web.force_login(colleague)
    assert "Locked sign-ins" not in member_web.get("/settings/").content.decode()


def test_verbind_unlock_lists_and_lifts_locks(owner, capsys):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            sign_in(owner.email, WRONG, address="2001:db8::1")
        call_command("unlock")
        listing = capsys.readouterr().out
        assert "account\tolga@example.org\t5" in listing
        call_command("unlock", "OLGA@example.org")
        assert "OLGA@example.org: unlocked" in capsys.readouterr().out
        client, _answer = sign_in(owner.email, PASSWORD, address="2001:db8::2")
        assert signed_in(client)


def test_api_tokens_cannot_be_guessed_without_limit(owner, workspace):
    _token, raw = ApiToken.issue(owner.memberships.get(), "script")
    with time_machine.travel(timezone.now(), tick=False):
        guesser = ApiClient("vb_guess")
        guesser.client = Client(REMOTE_ADDR="203.0.113.66")
        answers = [guesser.get("/api/v1/people").status_code for _ in range(12)]
        assert answers == [401] * 9 + [429] * 3
        right = ApiClient(raw)
        right.client = Client(REMOTE_ADDR="203.0.113.66")
        refused = right.get("/api/v1/people")
        assert refused.status_code == 429 and "Too many unknown tokens" in refused.json()["message"]
        assert ApiClient(raw).get("/api/v1/people").status_code == 200  # another address


def test_a_forgotten_password_is_reset_by_an_emailed_link(owner, mailoutbox, settings):
    settings.SITE_URL = "https://verbind.example.org"
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            sign_in(owner.email, WRONG)
        browser = Client(HTTP_ACCEPT_LANGUAGE="nl")
        page = browser.get("/signin/reset/").content.decode()
        assert "Wachtwoord vergeten?" in page
        answer = browser.post("/signin/reset/", {"email": "olga@example.org"}, follow=True)
        assert "Kijk in je mail" in answer.content.decode()
        [mail] = mailoutbox
        assert mail.to == ["olga@example.org"] and "nieuw wachtwoord" in mail.subject
        link = re.search(r"https://verbind\.example\.org(/signin/reset/\S+)", mail.body).group(1)
        form = browser.get(link, follow=True)
        assert "Kies een nieuw wachtwoord" in form.content.decode()
        done = browser.post(
            form.redirect_chain[-1][0],
            {"new_password1": "a fresh long phrase 42", "new_password2": "a fresh long phrase 42"},
            follow=True,
        )
        assert "Je wachtwoord is gewijzigd" in done.content.decode()
        client, _answer = sign_in(owner.email, "a fresh long phrase 42")
        assert signed_in(client)  # the lock is lifted by the reset
        assert "werkt niet meer" in browser.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db, mailoutbox):
    answer = Client().post("/signin/reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Look in your mail" in answer.content.decode() and mailoutbox == []


def test_the_sign_in_page_offers_the_reset(db):
    assert 'href="/signin/reset/"' in Client().get("/signin/").content.decode()


def test_a_reception_member_is_throttled_like_anyone(workspace):
    desk = make_user("desk@example.org", "Fatima Desk", PASSWORD)
    Membership.objects.create(workspace=workspace, user=desk, role=Role.RECEPTION)
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            sign_in(desk.email, WRONG)
        client, answer = sign_in(desk.email, PASSWORD)
    assert answer.status_code == 429 and not signed_in(client)
