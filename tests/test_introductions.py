"""Story 3 through time: an introduction with consent from both sides, read back from a real
SMTP server — B asked first, A never hears of a "no", the joint message, "did it help?"
three weeks on, and the thanks on the agenda."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from verbind.followthrough.agenda import agenda_for
from verbind.introductions.flow import find_link
from verbind.introductions.models import Direction, Introduction, IntroState, LedgerEntry
from verbind.messaging.models import OutboxMessage, State
from verbind.people.models import Interaction, Person
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")


def at(month, day, hour=9):
    return time_machine.travel(datetime(2026, month, day, hour, tzinfo=AMS), tick=False)


@pytest.fixture
def eva(workspace):
    return Person.objects.create(
        workspace=workspace, name="Eva Jansen", email="eva@koers.example", language="nl"
    )


@pytest.fixture
def joost(workspace):
    return Person.objects.create(
        workspace=workspace, name="Joost Hermans", email="joost@hermans.example", language="en"
    )


def membership(owner):
    return owner.memberships.get()


def keys(owner):
    return {item.key: item for item in agenda_for(membership(owner))}


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"/i/([A-Za-z0-9_\-]+)/", body)[1]


def start(web, eva, joost, **extra):
    response = web.post(
        "/introductions/new/",
        {
            "a": eva.pk,
            "b": joost.pk,
            "why": "Eva starts as a coach; Joost knows marketing.",
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Introduction.objects.latest("id")


def send_all(web, intro):
    web.force_login(intro.member)  # weeks later: a fresh sign-in
    response = web.post(f"/introductions/{intro.pk}/send/")
    assert response.status_code == 302 and response.url == f"/introductions/{intro.pk}/"
    Worker().run_pass()


def answer(raw, choice, note=""):
    return Client().post(f"/i/{raw}/", {"answer": choice, "note": note})


def test_b_declines_and_a_never_hears_of_it(smtp, web, owner, eva, joost):
    with at(12, 1):
        intro = start(web, eva, joost)
        assert intro.state == IntroState.ASKED_B
        Worker().run_pass()
        assert smtp.messages == []  # nothing leaves before the member has read it
        assert f"introduction:{intro.pk}:send_ask_b" in keys(owner)
        send_all(web, intro)
        [to_joost] = smtp.to("joost@hermans.example")
        assert "Eva Jansen" in to_joost["Subject"] + to_joost.get_content()
    with at(12, 2):
        page = answer(link_in(to_joost), "no", "Too busy this winter")
        assert page.status_code == 200
        Worker().run_pass()
        intro.refresh_from_db()
        assert intro.state == IntroState.DECLINED
        assert smtp.to("eva@koers.example") == []  # Eva never hears of it
        let_down = OutboxMessage.objects.get(person=eva, state=State.DRAFT)
        assert "Joost" not in let_down.body and "Hermans" not in let_down.body
        assert f"introduction:{intro.pk}:let_down" in keys(owner)
    # a second answer on the same link is refused kindly; nothing changes
    again = answer(link_in(to_joost), "yes")
    assert "already" in again.content.decode()
    intro.refresh_from_db()
    assert intro.state == IntroState.DECLINED


def test_both_agree_then_did_it_help_then_thanks(smtp, web, owner, eva, joost):
    with at(12, 1):
        intro = start(web, eva, joost)
        send_all(web, intro)
        [to_joost] = smtp.to("joost@hermans.example")
        assert answer(link_in(to_joost), "yes", "Happy to help").status_code == 200
        intro.refresh_from_db()
        assert intro.state == IntroState.B_AGREED
        assert f"introduction:{intro.pk}:send_ask_a" in keys(owner)
        send_all(web, intro)
        intro.refresh_from_db()
        assert intro.state == IntroState.ASKED_A
        [to_eva] = smtp.to("eva@koers.example")
        assert "Joost Hermans" in to_eva.get_content()
        assert answer(link_in(to_eva), "yes").status_code == 200
        assert f"introduction:{intro.pk}:send_joint" in keys(owner)
        send_all(web, intro)
        intro.refresh_from_db()
        assert intro.state == IntroState.INTRODUCED
        joint = [
            m for m in smtp.messages if "Eva Jansen" in m["Subject"] and "Joost" in m["Subject"]
        ]
        assert sorted(m["To"] for m in joint) == ["eva@koers.example", "joost@hermans.example"]
        for message in joint:
            body = message.get_content()
            assert "eva@koers.example" in body and "joost@hermans.example" in body
    def to_them():
        return [m for m in smtp.messages if m["To"] in ("eva@koers.example", "joost@hermans.example")]

    sent_before = len(to_them())
    with at(12, 21):  # not yet three weeks (a Monday: the owner's team digest may go out)
        Worker().run_pass()
        assert len(to_them()) == sent_before
        assert f"introduction:{intro.pk}:ask_follow_up" not in keys(owner)
    with at(12, 22, 10):  # three weeks after the joint message
        Worker().run_pass()
        Worker().run_pass()  # claimed once: a second pass writes nothing more
        assert f"introduction:{intro.pk}:ask_follow_up" in keys(owner)
        assert (
            OutboxMessage.objects.filter(
                idempotency_key__startswith=f"intro:{intro.pk}:follow_up"
            ).count()
            == 2
        )
        send_all(web, intro)
        asked = to_them()[sent_before:]
        assert sorted(m["To"] for m in asked) == ["eva@koers.example", "joost@hermans.example"]
        eva_question = next(m for m in asked if m["To"] == "eva@koers.example")
        assert answer(link_in(eva_question), "helped", "I finally have a plan").status_code == 200
    intro.refresh_from_db()
    assert intro.state == IntroState.HELPED
    assert intro.waiting_said == "Thank Joost Hermans"  # the list and the page name him
    # the answer is on all three timelines: Eva's, Joost's and the introduction's own
    for person in (eva, joost):
        assert Interaction.objects.filter(
            person=person, notes__contains="I finally have a plan"
        ).exists()
    assert intro.events.filter(text__contains="I finally have a plan").exists()
    with at(12, 22, 11):
        agenda = keys(owner)
        thanks = agenda[f"introduction:{intro.pk}:thank_b"]
        assert "Thank Joost Hermans" in thanks.why
        assert thanks.person == joost
    draft = OutboxMessage.objects.get(person=joost, state=State.DRAFT)
    assert "Thank you" in draft.subject and "Eva" in draft.body
    credited = LedgerEntry.objects.filter(introduction=intro)
    assert {(e.person_id, e.direction) for e in credited} == {
        (eva.pk, Direction.GAVE),
        (joost.pk, Direction.GOT),
    }


def test_no_answer_gets_one_gentle_reminder_then_waits_on_the_agenda(smtp, web, owner, eva, joost):
    with at(12, 1):
        intro = start(web, eva, joost)
        send_all(web, intro)
    with at(12, 8, 10):
        Worker().run_pass()
        assert f"introduction:{intro.pk}:remind_b" in keys(owner)
        send_all(web, intro)
        assert len(smtp.to("joost@hermans.example")) == 2
    with at(12, 15, 10):
        Worker().run_pass()
        assert f"introduction:{intro.pk}:decide_b" in keys(owner)
        assert len(smtp.to("joost@hermans.example")) == 2  # one reminder, no more
    with at(12, 30):
        Worker().run_pass()
        assert len(smtp.to("joost@hermans.example")) == 2
        web.force_login(owner)
        web.post(f"/introductions/{intro.pk}/end/")
    intro.refresh_from_db()
    assert intro.state == IntroState.ENDED
    # a late answer is thanked and recorded, and changes nothing else (the first link still works)
    late = answer(link_in(smtp.to("joost@hermans.example")[0]), "yes")
    assert late.status_code == 200 and "Thank you" in late.content.decode()
    intro.refresh_from_db()
    assert intro.state == IntroState.ENDED
    assert Interaction.objects.filter(person=joost, notes__contains="after it ended").exists()
    again = answer(link_in(smtp.to("joost@hermans.example")[-1]), "no")  # the reminder's link
    assert "already" in again.content.decode()
    assert OutboxMessage.objects.filter(person=eva).count() == 0


def test_a_link_is_private_and_expires(web, eva, joost):
    with at(12, 1):
        intro = start(web, eva, joost)
        message = OutboxMessage.objects.get(person=joost)
        raw = re.search(r"/i/([A-Za-z0-9_\-]+)/", message.body)[1]
        assert len(raw) >= 32 and find_link(raw).introduction == intro
        assert Client().get("/i/not-a-real-token/").status_code == 404
    with at(12, 20):  # 14 days after it was written, never sent
        page = Client().post(f"/i/{raw}/", {"answer": "yes"})
        assert page.status_code == 410
    intro.refresh_from_db()
    assert intro.state == IntroState.ASKED_B
