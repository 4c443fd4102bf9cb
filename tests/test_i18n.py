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


def test_the_dutch_catalogue_is_complete_and_compiled():
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "verbind" / "locale" / "nl" / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    assert not [e for e in entries if "#, fuzzy" in e], "fuzzy translations left"
    empty = [e for e in entries if e.rstrip().endswith('msgstr ""') and "msgid_plural" not in e]
    assert not empty, f"untranslated: {empty[:3]}"
    catalogue = gettext.GNUTranslations(open(folder / "django.mo", "rb"))
    assert (
        catalogue.gettext("Likely duplicates") == "Waarschijnlijke dubbelen"
    )  # .mo compiled from this .po


def test_dutch_dates_in_messages_keep_the_weekday_in_lower_case():
    """Our own labels for the working week must not take over Django's day names."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from verbind.messaging.drafts import local_text

    amsterdam = ZoneInfo("Europe/Amsterdam")
    wednesday = datetime(2026, 12, 9, 10, 0, tzinfo=amsterdam)
    assert local_text(wednesday, "nl", amsterdam) == "woensdag 9 december, 10:00"
    assert local_text(wednesday, "en", amsterdam) == "Wednesday 9 December, 10:00"


def test_no_plural_form_is_left_untranslated():
    import re
    from pathlib import Path

    po = (
        Path(__file__).resolve().parent.parent / "verbind/locale/nl/LC_MESSAGES/django.po"
    ).read_text(encoding="utf-8")
    empty = re.findall(r'msgstr\[\d\] ""\n(?!")', po + "\n")
    assert empty == []
