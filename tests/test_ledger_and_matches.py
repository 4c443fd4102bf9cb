"""The ledger of who helped whom, asks and offers with their matches, and what is refused:
a self-introduction, a recent decline, another workspace's introductions, ledger and asks."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from verbind.followthrough.agenda import agenda_for
from verbind.introductions import asks, flow, ledger
from verbind.introductions.models import (
    AskOffer,
    Direction,
    Help,
    Introduction,
    IntroLink,
    LedgerEntry,
    Match,
)
from verbind.people.models import Organisation, Person


@pytest.fixture
def people(workspace):
    def make(name, email, **extra):
        return Person.objects.create(workspace=workspace, name=name, email=email, **extra)

    return {
        "olivia": make("Olivia Hart", "olivia@hart.example", language="en"),
        "bram": make("Bram Visser", "bram@visser.example"),
        "eva": make("Eva Jansen", "eva@koers.example"),
        "joost": make("Joost Hermans", "joost@hermans.example"),
    }


def agenda(owner):
    return {item.key: item for item in agenda_for(owner.memberships.get())}


def test_an_offer_that_fits_an_ask_is_suggested_on_the_agenda_quoting_both(web, owner, people):
    olivia, bram = people["olivia"], people["bram"]
    web.post(
        reverse("person_ask_add", args=[olivia.pk]),
        {"kind": "ask", "text": "Looking for a partner for a hotel project in Amsterdam"},
    )
    web.post(
        reverse("person_ask_add", args=[bram.pk]),
        {"kind": "offer", "text": "Knows every hotel owner in Amsterdam"},
    )
    match = Match.objects.get()
    item = agenda(owner)[f"match:{match.pk}"]
    assert "Introduce them?" in item.why
    assert "“Looking for a partner for a hotel project in Amsterdam”" in item.why
    assert "“Knows every hotel owner in Amsterdam”" in item.why
    # one click from the agenda: the introduction form, filled in
    form = web.get(item.link).content.decode()
    assert f'value="{olivia.pk}" selected' in form and f'value="{bram.pk}" selected' in form
    today = web.get("/").content.decode()
    assert "Introduce them" in today


def test_unrelated_asks_and_offers_and_the_same_person_are_not_matched(owner, people):
    membership = owner.memberships.get()
    asks.add(membership, people["olivia"], "ask", "Looking for a hotel partner in Amsterdam")
    asks.add(membership, people["bram"], "offer", "Can advise on subsidies")
    asks.add(membership, people["olivia"], "offer", "Hotel interiors in Amsterdam")
    assert Match.objects.count() == 0


def test_a_give_logged_in_one_click_shows_in_words_and_in_the_chart(web, owner, people):
    joost = people["joost"]
    for kind in ("advice", "time", "referral"):
        response = web.post(
            reverse("person_ledger_add", args=[joost.pk]), {"direction": "got", "kind": kind}
        )
        assert response.status_code == 302
    page = web.get(reverse("person", args=[joost.pk])).content.decode()
    assert "Joost helped you 3 times; you have not helped them yet." in page
    assert "<svg" in page and 'class="got"' in page
    assert "Ambassador · 1 referral" in page
    # the agenda asks how to help him back, with his open asks
    asks.add(owner.memberships.get(), joost, "ask", "Looking for a speaker for the spring congress")
    item = agenda(owner)[f"give_back:{joost.pk}:3"]
    assert "How could you help Joost Hermans back?" in item.why
    assert "“Looking for a speaker for the spring congress”" in item.why


def test_ambassadors_are_counted_and_the_organisation_shows_who_speaks_for_you(
    web, workspace, people
):
    club = Organisation.objects.create(workspace=workspace, name="Ondernemersclub")
    mark = Person.objects.create(workspace=workspace, name="Mark de Boer", organisation=club)
    ledger.record(workspace.pk, mark, Direction.GOT, Help.REFERRAL, brought=people["bram"])
    ledger.record(workspace.pk, mark, Direction.GOT, Help.REFERRAL, brought=people["eva"])
    organisation_page = web.get(reverse("organisation", args=[club.pk])).content.decode()
    assert "Who speaks for you" in organisation_page and "Mark de Boer" in organisation_page
    assert "2 referrals" in organisation_page
    listing = web.get(reverse("introductions")).content.decode()
    assert "1 person brought others to you." in listing


def test_a_person_cannot_be_introduced_to_themselves(web, api, people):
    eva = people["eva"]
    page = web.post(reverse("introduction_new"), {"a": eva.pk, "b": eva.pk, "why": "x"})
    assert page.status_code == 400
    assert "Eva Jansen cannot be introduced to themselves" in page.content.decode()
    answer = api.post("/api/v1/introductions", {"a_id": eva.pk, "b_id": eva.pk, "why": "x"})
    assert answer.status_code == 422
    assert "cannot be introduced to themselves" in answer.json()["message"]
    assert Introduction.objects.count() == 0


def test_someone_who_declined_lately_is_asked_again_only_when_the_member_confirms(
    web, api, owner, people
):
    eva, joost, bram = people["eva"], people["joost"], people["bram"]
    first = flow.introduce(owner.memberships.get(), eva, joost, "Marketing for a coach")
    link = IntroLink.objects.get(introduction=first)
    flow.answer(link, "no", "Not my field")
    page = web.post(reverse("introduction_new"), {"a": bram.pk, "b": joost.pk, "why": "Benches"})
    assert page.status_code == 400
    assert "Joost Hermans declined an introduction on" in page.content.decode()
    refused = api.post("/api/v1/introductions", {"a_id": bram.pk, "b_id": joost.pk, "why": "B"})
    assert refused.status_code == 409 and refused.json()["code"] == "recently_declined"
    assert Introduction.objects.count() == 1
    confirmed = web.post(
        reverse("introduction_new"),
        {"a": bram.pk, "b": joost.pk, "why": "Benches", "confirm": "on"},
    )
    assert confirmed.status_code == 302
    assert Introduction.objects.count() == 2


def test_the_cli_introduces_and_refuses_in_one_line(owner, people):
    out = StringIO()
    call_command(
        "introduce",
        "eva@koers.example",
        "Joost Hermans",
        "--why",
        "Marketing",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["state"] == "asked_b" and data["b"]["name"] == "Joost Hermans" and data["drafts"]
    with pytest.raises(CommandError) as refused:
        call_command("introduce", "eva@koers.example", "eva@koers.example", "--why", "x")
    assert refused.value.returncode == 2
    assert "cannot be introduced to themselves" in str(refused.value)


def test_the_api_reads_back_introductions_ledger_and_asks(api, people):
    eva, joost = people["eva"], people["joost"]
    made = api.post("/api/v1/introductions", {"a_id": eva.pk, "b_id": joost.pk, "why": "Plan"})
    assert made.status_code == 201 and made.json()["state"] == "asked_b"
    assert len(made.json()["drafts"]) == 1
    sent = api.post(f"/api/v1/introductions/{made.json()['id']}/send")
    assert sent.status_code == 200 and sent.json()["drafts"] == []
    entry = api.post(
        "/api/v1/ledger/entries", {"person_id": joost.pk, "direction": "got", "kind": "advice"}
    )
    assert entry.status_code == 201
    balance = api.get(f"/api/v1/ledger/balance/{joost.pk}").json()
    assert balance["got"] == 1 and "Joost helped you once" in balance["in_words"]
    ask = api.post(
        "/api/v1/ledger/asks", {"person_id": eva.pk, "kind": "ask", "text": "First clients"}
    )
    assert ask.status_code == 201
    assert [a["text"] for a in api.get("/api/v1/ledger/asks").json()["items"]] == ["First clients"]
    bad = api.post(
        "/api/v1/ledger/entries", {"person_id": joost.pk, "direction": "got", "kind": "cake"}
    )
    assert bad.status_code == 422


def test_another_workspace_cannot_read_or_act_on_introductions_ledger_or_asks(
    owner, people, outsider_web, outsider_api, other_workspace
):
    eva, joost = people["eva"], people["joost"]
    membership = owner.memberships.get()
    intro = flow.introduce(membership, eva, joost, "Secret reason")
    ask = asks.add(membership, eva, "ask", "Secret ask")
    ledger.record(membership.workspace_id, joost, Direction.GOT, Help.TIME)
    for url in (
        reverse("introduction", args=[intro.pk]),
        reverse("person", args=[eva.pk]),
    ):
        assert outsider_web.get(url).status_code == 404, url
    for url, data in (
        (reverse("introduction_act", args=[intro.pk, "send"]), {}),
        (reverse("introduction_act", args=[intro.pk, "end"]), {}),
        (reverse("person_ledger_add", args=[joost.pk]), {"direction": "got", "kind": "time"}),
        (reverse("person_ask_add", args=[eva.pk]), {"kind": "ask", "text": "x"}),
        (reverse("ask_close", args=[ask.pk]), {}),
    ):
        assert outsider_web.post(url, data).status_code == 404, url
    assert "Secret reason" not in outsider_web.get(reverse("introductions")).content.decode()
    # the new-introduction form offers only their own people
    form = outsider_web.get(reverse("introduction_new")).content.decode()
    assert "Eva Jansen" not in form
    refused = outsider_web.post(
        reverse("introduction_new"), {"a": eva.pk, "b": joost.pk, "why": "x"}
    )
    assert refused.status_code == 400
    for path in (
        f"/api/v1/introductions/{intro.pk}",
        f"/api/v1/ledger/balance/{joost.pk}",
    ):
        assert outsider_api.get(path).status_code == 404, path
    for path in (
        f"/api/v1/introductions/{intro.pk}/send",
        f"/api/v1/introductions/{intro.pk}/end",
        f"/api/v1/ledger/asks/{ask.pk}/close",
    ):
        assert outsider_api.post(path).status_code == 404, path
    assert outsider_api.get("/api/v1/introductions").json()["items"] == []
    assert outsider_api.get("/api/v1/ledger/entries").json()["items"] == []
    assert outsider_api.get("/api/v1/ledger/asks").json()["items"] == []
    assert outsider_api.get("/api/v1/ledger/matches").json()["items"] == []
    made = outsider_api.post(
        "/api/v1/introductions", {"a_id": eva.pk, "b_id": joost.pk, "why": "x"}
    )
    assert made.status_code == 422
    logged = outsider_api.post(
        "/api/v1/ledger/entries", {"person_id": joost.pk, "direction": "gave", "kind": "time"}
    )
    assert logged.status_code == 422
    assert (
        outsider_api.post(
            "/api/v1/ledger/asks", {"person_id": eva.pk, "kind": "offer", "text": "x"}
        ).status_code
        == 422
    )
    intro.refresh_from_db()
    assert intro.state == "asked_b" and flow.drafts(intro).count() == 1
    assert LedgerEntry.objects.count() == 1 and AskOffer.objects.count() == 1
    assert AskOffer.objects.get().is_open
