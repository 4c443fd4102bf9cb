from __future__ import annotations

from django.urls import reverse


def test_the_pages_follow_the_browser_language(web, person):
    dutch = web.get(
        reverse("person", args=[person.pk]), headers={"Accept-Language": "nl"}
    ).content.decode()
    assert 'lang="nl"' in dutch and "Mensen" in dutch and "Belofte" in dutch
    english = web.get(
        reverse("person", args=[person.pk]), headers={"Accept-Language": "en"}
    ).content.decode()
    assert 'lang="en"' in english and "People" in english


def test_a_member_can_switch_the_language(web):
    web.post(reverse("set_language"), {"language": "nl", "next": reverse("people")})
    assert (
        "Persoon toevoegen"
        in web.get(reverse("people"), headers={"Accept-Language": "en"}).content.decode()
    )


def test_the_sign_in_page_is_dutch_for_a_dutch_browser(client):
    html = client.get(
        reverse("login"), headers={"Accept-Language": "nl-NL,nl;q=0.9"}
    ).content.decode()
    assert "Inloggen" in html
