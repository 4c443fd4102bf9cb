"""Patient nudges (story 4): warm steps at growing intervals that stop when they answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from verbind.cadences.models import CadenceSettings, Nudge, NudgeState
from verbind.followthrough.agenda import agenda_for
from verbind.messaging.models import OutboxMessage, State
from verbind.people.models import Person
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")


def moment(*args):
    return time_machine.travel(datetime(*args, tzinfo=AMS), tick=False)


def items(owner):
    return [i for i in agenda_for(owner.memberships.get()) if i.rule.startswith("nudge")]


def send_from_today(web, item):
    response = web.post(reverse("agenda_action", args=[item.key, "draft"]))
    page = web.get(response["Location"])
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    web.post(response["Location"], {**data, "send": "1"})
    Worker().run_pass()


def test_a_nudge_sequence_stops_when_their_reply_is_logged_through_the_api(
    smtp, web, api, owner, workspace
):
    mark = Person.objects.create(
        workspace=workspace, name="Mark de Boer", email="mark@deboer.example", language="nl"
    )
    with moment(2026, 6, 20, 21):
        api.post(
            "/api/v1/interactions",
            {"person_id": mark.pk, "kind": "event", "notes": "Zijn zeilvakantie in Griekenland"},
        )
        nudge = api.post(
            "/api/v1/nudges", {"person_id": mark.pk, "about": "lid worden van de club"}
        )
        assert nudge.status_code == 201 and nudge.json()["next_at"] == "2026-07-04T19:00:00Z"
        assert items(owner) == []
    with moment(2026, 7, 4, 9):  # two weeks: the first step is due today
        [step] = items(owner)
        assert step.key == f"nudge:{nudge.json()['id']}:1" and "Step 1 of 3" in step.why
        send_from_today(web, step)
        [first] = smtp.to("mark@deboer.example")
        text = first.get_content()
        assert "zeilvakantie in Griekenland" in text  # personal: from the last conversation
        assert "Kan ik je ergens mee helpen?" in text
        assert "lid worden van de club" in text and "neem gerust de tijd" in text
    state = api.get(f"/api/v1/nudges/{nudge.json()['id']}").json()
    assert state["steps_sent"] == 1 and state["next_at"] == "2026-08-01T07:00:00Z"  # 4 weeks on
    with moment(2026, 7, 31, 12):
        assert items(owner) == []
    with moment(2026, 9, 7, 10):  # step 2, after the summer
        [step] = items(owner)
        send_from_today(web, step)
        second = smtp.to("mark@deboer.example")[1]
        assert second["Subject"] == "Hoe was je zomer, Mark?"
    with moment(2026, 9, 20, 18):  # he answers; the member logs it through the API
        response = api.post(
            "/api/v1/interactions",
            {
                "person_id": mark.pk,
                "kind": "email",
                "direction": "inbound",
                "notes": "Ik kom graag naar de volgende clubavond!",
            },
        )
        assert response.status_code == 201
    row = Nudge.objects.get()
    assert row.state == NudgeState.ANSWERED
    assert row.answered_how == "Ik kom graag naar de volgende clubavond!"
    with moment(2027, 1, 10, 10):  # long after step 3 would have been due: nothing more
        assert items(owner) == []
        Worker().run_pass()
    assert len(smtp.to("mark@deboer.example")) == 2


def test_verbind_sends_the_steps_by_itself_only_when_the_workspace_allows_it_and_once(
    smtp, owner, workspace, api, person
):
    with moment(2026, 3, 20, 14):  # the first step falls after the spring clock change
        nudge = api.post("/api/v1/nudges", {"person_id": person.pk, "about": "our proposal"}).json()
    with moment(2026, 4, 3, 14, 1):
        Worker().run_pass()
        assert smtp.messages == []  # off by default: the step waits for the member
        assert [i.key for i in items(owner)] == [f"nudge:{nudge['id']}:1"]
        CadenceSettings.objects.filter(workspace=workspace).update(send_nudges_by_itself=True)
        CadenceSettings.of(workspace)
        CadenceSettings.objects.filter(workspace=workspace).update(send_nudges_by_itself=True)
        Worker().run_pass()
        Worker().run_pass()
        [mail] = smtp.to(person.email)
        assert "our proposal" in mail.get_content()
        assert items(owner) == []
    row = Nudge.objects.get()
    assert row.steps_sent == 1 and row.steps.get().by_itself


def test_a_step_waiting_to_go_out_is_called_back_when_they_answer(owner, person, api, workspace):
    with moment(2026, 3, 1, 10):
        api.post("/api/v1/nudges", {"person_id": person.pk, "about": "the proposal"})
    with moment(2026, 3, 16, 10):
        [item] = items(owner)
        draft = item.drafter(owner.memberships.get(), item, "unused")
        assert draft.state == State.DRAFT
        api.post(
            "/api/v1/interactions",
            {"person_id": person.pk, "kind": "call", "direction": "inbound", "notes": "Said yes"},
        )
        assert OutboxMessage.objects.get(pk=draft.pk).state == State.CANCELLED


def test_after_the_last_step_the_member_decides_wait_longer_or_close_kindly(
    smtp, web, owner, person, api
):
    with moment(2026, 1, 5, 10):
        nudge = api.post(
            "/api/v1/nudges",
            {"person_id": person.pk, "about": "joining the club", "intervals": [1], "cap": 1},
        ).json()
    with moment(2026, 1, 12, 10):
        send_from_today(web, items(owner)[0])
    with moment(2026, 1, 26, 10, 1):  # two weeks after the last step
        [decide] = items(owner)
        assert decide.rule == "nudge_decide" and "close it kindly" in decide.why
        page = web.get(reverse("nudge", args=[nudge["id"]])).content.decode()
        assert "Keep waiting" in page and "Close it kindly" in page
        web.post(reverse("nudge_decide", args=[nudge["id"], "wait"]))
        row = Nudge.objects.get()
        assert row.state == NudgeState.WAITING and row.cap == 2 and row.intervals == [1, 2]
        assert items(owner) == []
    with moment(2026, 2, 9, 10, 1):
        [step] = items(owner)
        assert step.key == f"nudge:{nudge['id']}:2"
        response = web.post(reverse("nudge_decide", args=[nudge["id"], "close"]))
        draft = OutboxMessage.objects.get(idempotency_key=f"nudge-close:{nudge['id']}")
        assert response["Location"] == reverse("message", args=[draft.pk])
        assert draft.subject == "De deur blijft open, Hans"  # in his language
        assert Nudge.objects.get().state == NudgeState.CLOSED
        assert items(owner) == []


def test_a_second_nudge_for_the_same_person_is_refused_in_words(api, person):
    api.post("/api/v1/nudges", {"person_id": person.pk, "about": "the proposal"})
    response = api.post("/api/v1/nudges", {"person_id": person.pk, "about": "another"})
    assert response.status_code == 409
    assert "one at a time" in response.json()["message"]
