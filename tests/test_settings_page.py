"""Settings as a new member meets them: their name signs their messages, and the rest is theirs."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, make_appointment
from tests.test_time_zones import you
from verbind.followthrough.drafts import make_draft


def test_a_member_names_themself_and_their_apologies_are_signed_so(web, owner, person):
    owner.first_name, owner.last_name = "Verbind", "Owner"
    owner.save()
    web.post(reverse("settings"), you(first_name="Sanne", last_name="de Wit"))
    owner.refresh_from_db()
    assert owner.get_full_name() == "Sanne de Wit"
    draft = make_draft("thank_you", person, owner, owner.memberships.get().zone,
                       obligation=make_appointment(person, owner))
    assert draft.body.rstrip().endswith("Sanne de Wit")


def test_language_digest_hour_and_no_digest_are_kept(web, owner):
    membership = owner.memberships.get()
    membership.next_digest_at = membership.joined_at
    membership.save()
    web.post(reverse("settings"), you(language="nl", digest_hour="6", wants_digest=""))
    membership.refresh_from_db()
    assert (membership.language, membership.digest_hour, membership.wants_digest) == ("nl", 6, False)
    assert membership.next_digest_at is None  # the next digest follows the new hour


def test_the_zone_is_typed_with_suggestions_not_picked_from_400_lines(web):
    page = web.get(reverse("settings")).content.decode()
    assert 'list="id_time_zone-zones"' in page and '<option value="America/New_York">' in page
    assert "<select name=\"time_zone\"" not in page


def test_a_member_changes_their_password_and_stays_signed_in(web, owner):
    answer = web.post(
        reverse("settings"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
            "change_password": "1",
        },
        follow=True,
    )
    assert "Your password is changed." in answer.content.decode()
    assert web.get(reverse("settings")).status_code == 200  # still signed in
    assert Client().login(username=owner.email, password="a-new-long-passphrase-42")
    wrong = web.post(
        reverse("settings"),
        {"old_password": "nope", "new_password1": "x", "new_password2": "x", "change_password": "1"},
    )
    assert "old password was entered incorrectly" in wrong.content.decode()


def test_a_new_token_has_a_copy_button(web):
    page = web.post(reverse("settings"), {"name": "backup", "make_token": "1"}, follow=True)
    html = page.content.decode()
    shown = re.search(r'<code class="token">([^<]+)</code>', html)[1]
    assert f'data-copy="{shown}"' in html
