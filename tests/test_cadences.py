"""Keep-in-touch cadences: any touch resets them exactly, and they come due on the agenda."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import make_appointment
from verbind.cadences import cadence as cadences
from verbind.cadences.models import Cadence
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.rules.base import OVERDUE, TODAY
from verbind.messaging import outbox
from verbind.scheduling.proposals import decline, offer
from verbind.transfer.apply import apply
from verbind.transfer.importing import plan_import
from verbind.worker.loop import Worker

AMS = ZoneInfo("Europe/Amsterdam")


def moment(*args):
    return datetime(*args, tzinfo=AMS)


def keys(owner):
    return [item.key for item in agenda_for(owner.memberships.get())]


def touched_by_interaction(api, person, owner, smtp):
    api.post(
        "/api/v1/interactions",
        {"person_id": person.pk, "kind": "call", "notes": "Talked about the new office"},
    )


def touched_by_message(api, person, owner, smtp):
    item = next(i for i in agenda_for(owner.memberships.get()) if i.rule == "cadence_due")
    web_draft = item.drafter(owner.memberships.get(), item, "draft:test")
    outbox.send(web_draft, by=owner)
    Worker().run_pass()
    [mail] = smtp.to(person.email)
    assert "just checking in" not in mail.get_content().lower()


def touched_by_meeting(api, person, owner, smtp):
    meeting = make_appointment(person, owner, starts_in=-timedelta(hours=2))
    api.post(f"/api/v1/appointments/{meeting.pk}/transition", {"to": "held"})


def touched_by_a_link(api, person, owner, smtp):
    proposal, _raw = offer(owner.memberships.get(), person, within=timedelta(days=14))
    decline(proposal, "Next month suits me better")


def touched_by_an_import(api, person, owner, smtp):
    data = f"Name,E-mail,Last contact\n{person.name},{person.email},2026-03-02\n".encode()
    apply(plan_import(data, "contacts.csv", person.workspace), person.workspace)


TOUCHES = {
    "interaction logged": touched_by_interaction,
    "message sent from the outbox": touched_by_message,
    "meeting held": touched_by_meeting,
    "answer on a link": touched_by_a_link,
    "newer last contact from an import": touched_by_an_import,
}


@pytest.mark.parametrize("kind", TOUCHES)
def test_a_cadence_is_reset_by_each_kind_of_touch(kind, smtp, api, owner, person):
    with time_machine.travel(moment(2026, 1, 5, 10), tick=False):
        cadence = cadences.for_person(owner, person, 6)
        assert cadence.due_at == moment(2026, 2, 16, 10)
    with time_machine.travel(moment(2026, 3, 2, 15), tick=False):  # two weeks overdue
        assert keys(owner) == [f"cadence:{cadence.pk}:20260216"]
        TOUCHES[kind](api, person, owner, smtp)
        cadence.refresh_from_db()
        assert cadence.last_touch_at.date() == datetime(2026, 3, 2).date()
        assert cadence.due_at.astimezone(AMS).date() == datetime(2026, 4, 13).date()
        assert not [k for k in keys(owner) if k.startswith("cadence")]  # due in six weeks


def test_an_older_contact_from_an_import_does_not_turn_the_clock_back(owner, person, api):
    with time_machine.travel(moment(2026, 5, 4, 10), tick=False):
        cadence = cadences.for_person(owner, person, 4)
        touched_by_interaction(api, person, owner, None)
        data = f"Name,E-mail,Last contact\n{person.name},{person.email},2026-01-02\n".encode()
        apply(plan_import(data, "contacts.csv", person.workspace), person.workspace)
        cadence.refresh_from_db()
        assert cadence.due_at == moment(2026, 6, 1, 10)


def test_a_tag_cadence_reaches_everyone_tagged_now_and_later(owner, workspace, person, api):
    from verbind.people.models import Person

    other = Person.objects.create(workspace=workspace, name="Ineke Bos")
    cadences.tag_person(person, "club members")
    group = cadences.for_tag(owner, workspace, "Club members", 8)
    assert Cadence.objects.filter(group=group).count() == 1
    response = api.post("/api/v1/tags", {"person_id": other.pk, "tag": "club members"})
    assert response.json()["tags"] == ["club members"]
    assert set(Cadence.objects.filter(group=group).values_list("person_id", flat=True)) == {
        person.pk,
        other.pk,
    }
    own = cadences.for_person(owner, other, 2)  # a person's own cadence wins over the group's
    assert own.group is None and own.every_weeks == 2
    cadences.untag_person(person, group.tag)
    assert not Cadence.objects.filter(person=person).exists()


def test_a_due_cadence_comes_with_the_last_conversation_and_a_warm_draft(web, owner, person, api):
    with time_machine.travel(moment(2026, 9, 1, 10), tick=False):
        api.post(
            "/api/v1/interactions",
            {"person_id": person.pk, "kind": "meeting", "notes": "His plans for a second office"},
        )
        cadence = cadences.for_person(owner, person, 6)
    with time_machine.travel(moment(2026, 10, 13, 11), tick=False):
        page = web.get(reverse("home")).content.decode()
        assert "6 weeks since you were last in touch with Hans Verbeek" in page
        assert "His plans for a second office" in page
        key = f"cadence:{cadence.pk}:20261013"
        response = web.post(reverse("agenda_action", args=[key, "draft"]))
        draft = web.get(response["Location"]).content.decode()
        assert "His plans for a second office" in draft
        assert "just checking in" not in draft.lower()
        web.post(
            reverse("agenda_action", args=[key, "snooze"]),
            {"until": "2026-10-20T09:00", "reason": "He is on holiday this week"},
        )
        assert key not in keys(owner)
    with time_machine.travel(moment(2026, 10, 20, 9, 1), tick=False):
        assert key in keys(owner)


def test_a_cadence_due_time_keeps_its_hour_across_the_autumn_clock_change(owner, person):
    with time_machine.travel(moment(2026, 10, 16, 10), tick=False):  # summer time (UTC+2)
        cadence = cadences.for_person(owner, person, 2)
    assert cadence.due_at == moment(2026, 10, 30, 10)  # winter time (UTC+1): still 10:00
    assert cadence.due_at - moment(2026, 10, 16, 10) == timedelta(days=14, hours=1)
    with time_machine.travel(moment(2026, 10, 30, 9, 59), tick=False):
        [item] = agenda_for(owner.memberships.get())
        assert item.urgency == TODAY
    with time_machine.travel(moment(2026, 10, 30, 10, 0), tick=False):
        [item] = agenda_for(owner.memberships.get())
        assert item.urgency == OVERDUE


def test_bad_cadences_are_refused_in_words(api, person):
    response = api.post("/api/v1/cadences", {"person_id": person.pk, "every_weeks": 0})
    assert response.status_code == 422
    response = api.post("/api/v1/cadences", {"person_id": person.pk, "tag": "x", "every_weeks": 4})
    assert response.status_code == 422 and "either" in response.json()["message"]


def test_a_relation_gone_quiet_is_in_the_morning_digest(smtp, owner, person):
    from verbind.followthrough.steps import handle_one_digest

    with time_machine.travel(moment(2026, 10, 1, 12), tick=False):
        cadences.for_person(owner, person, 6)
        handle_one_digest(datetime.now(tz=AMS))  # plans the first digest for tomorrow morning
    with time_machine.travel(moment(2026, 11, 12, 8, 0), tick=False):
        Worker().run_pass()
    [digest] = smtp.messages
    assert "Keep in touch with Hans Verbeek every 6 weeks" in digest.get_content()
