"""The agenda as a member meets it: order, context, actions, and the Today page, CLI and API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_appointment, make_promise
from verbind.followthrough import actions
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.models import Repair
from verbind.obligations.models import AppointmentStatus as S
from verbind.people.models import Interaction


@pytest.fixture(autouse=True)
def late_morning():
    """11:00 in Amsterdam, the clock running: "due today" and "coming up" mean the same
    whenever the suite runs (at 22:00 a promise due in three hours is due tomorrow)."""
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def membership(owner, workspace):
    return owner.memberships.get()


@pytest.fixture
def busy_day(person, owner, workspace):
    """An overdue repair, a promise due today-ish, and a thank-you coming later."""
    missed = make_appointment(person, owner, starts_in=-timedelta(days=2), title="Coffee")
    missed.transition(S.MISSED_BY_US)
    Repair.objects.update(
        opened_at=timezone.now() - timedelta(days=2), deadline_at=timezone.now() - timedelta(days=1)
    )
    promise = make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    Interaction.objects.create(
        workspace=workspace, person=person, kind="call", notes="Wants the plans"
    )
    return missed, promise


def test_overdue_repairs_come_first_with_the_context_to_act(membership, busy_day):
    missed, promise = busy_day
    items = agenda_for(membership)
    assert [i.key for i in items][:2] == [
        f"repair:appointment:{missed.pk}",
        f"promise:{promise.pk}",
    ]
    assert items[0].urgency == 0
    first = items[0]
    assert first.context["last_interaction"].notes == "Wants the plans"
    assert promise in first.context["other_open"]
    assert "apologise and offer new dates" in first.why


def test_snoozing_needs_a_reason_and_hides_the_item_until_then(membership, busy_day):
    missed, promise = busy_day
    item = actions.find_item(membership, f"promise:{promise.pk}")
    with pytest.raises(actions.ActionRefused, match="why"):
        actions.snooze(membership, item, timezone.now() + timedelta(hours=1), "  ")
    with pytest.raises(actions.ActionRefused, match="future"):
        actions.snooze(membership, item, timezone.now() - timedelta(hours=1), "later")
    actions.snooze(
        membership, item, timezone.now() + timedelta(hours=1), "Waiting for the drawings"
    )
    assert item.key not in [i.key for i in agenda_for(membership)]
    assert item.key in [
        i.key for i in agenda_for(membership, timezone.now() + timedelta(hours=1, minutes=1))
    ]


def test_kept_and_release_change_the_promise(membership, busy_day):
    _missed, promise = busy_day
    actions.kept(membership, actions.find_item(membership, f"promise:{promise.pk}"))
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_recording_their_answer_closes_the_repair_and_needs_a_note(membership, busy_day):
    missed, _ = busy_day
    item = actions.find_item(membership, f"repair:appointment:{missed.pk}")
    with pytest.raises(actions.ActionRefused):
        actions.answered(membership, item, "")
    actions.answered(membership, item, "She called; we meet next Tuesday")
    repair = Repair.objects.get()
    assert (repair.state, repair.closed_because) == ("closed", "answered")
    assert repair.outcome_note == "She called; we meet next Tuesday"
    assert item.key not in [i.key for i in agenda_for(membership)]


def test_releasing_a_late_promise_closes_its_repair_too(membership, person, owner):
    promise = make_promise(person, owner, due_in=-timedelta(hours=1))
    item = actions.find_item(membership, f"repair:promise:{promise.pk}")
    actions.release(membership, item, "They no longer need it")
    promise.refresh_from_db()
    assert promise.status == "released"
    assert Repair.objects.get().closed_because == "released"


def test_an_action_cannot_reach_another_members_item(colleague, busy_day):
    missed, _ = busy_day
    assert actions.find_item(colleague.memberships.get(), f"repair:appointment:{missed.pk}") is None


def test_the_today_page_lists_the_items_and_acts_on_them(web, busy_day):
    missed, promise = busy_day
    html = web.get(reverse("home")).content.decode()
    assert html.index("Overdue") < html.index("Coffee") < html.index("Send the plans")
    assert "Wants the plans" in html
    response = web.post(
        reverse("agenda_action", args=[f"promise:{promise.pk}", "kept"]), follow=True
    )
    assert "Promise kept" in response.content.decode()
    promise.refresh_from_db()
    assert promise.status == "kept"


def test_an_action_on_an_unknown_item_is_explained(web, outsider_web, busy_day):
    missed, _ = busy_day
    response = outsider_web.post(
        reverse("agenda_action", args=[f"repair:appointment:{missed.pk}", "answered"]),
        {"note": "x"},
        follow=True,
    )
    assert "no longer on your agenda" in response.content.decode()
    assert Repair.objects.get().state == "open"


def test_verbind_today_json_and_at(membership, busy_day, capsys, owner):
    missed, promise = busy_day
    call_command("today", "--member", owner.email, "--json")
    items = json.loads(capsys.readouterr().out)
    assert [i["urgency"] for i in items[:2]] == ["overdue", "today"]
    later = (timezone.now() + timedelta(hours=4)).isoformat()
    call_command("today", "--member", owner.email, "--json", "--at", later)
    keys = [i["key"] for i in json.loads(capsys.readouterr().out)]
    assert f"repair:promise:{promise.pk}" in keys  # by then the promise is late


def test_the_agenda_api_answers_for_the_tokens_member(api, busy_day):
    missed, promise = busy_day
    items = api.get("/api/v1/agenda").json()
    assert items[0]["key"] == f"repair:appointment:{missed.pk}"
    assert items[0]["urgency"] == "overdue"
    assert items[0]["obligation"] == {"type": "appointment", "id": missed.pk}
    assert api.get("/api/v1/agenda", at="2026-12-01T09:00").status_code == 422  # no zone


def test_the_today_page_shows_each_change_at_once_though_entries_are_kept_rendered(
    web, busy_day, person, organisation, owner, workspace
):
    """Entries are rendered once and reused while what they show holds; any change shows."""
    from django.utils import translation

    from verbind.messaging.models import OutboxMessage, Purpose, State

    first = web.get(reverse("home")).content.decode()
    entries = first.split('<ol class="entries">')[1]
    token = entries.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token in web.get(reverse("home")).content.decode()  # the kept entry, reused
    person.name = "Hans van Verbeek"
    person.save()
    organisation.name = "Verbeek & Dochters"
    organisation.save()
    Interaction.objects.create(
        workspace=workspace, person=person, kind="call", notes="Asked about the roof"
    )
    OutboxMessage.objects.create(
        workspace=workspace,
        purpose=Purpose.FOLLOW_UP,
        state=State.DRAFT,
        person=person,
        sender=owner,
        to_address=person.email,
        subject="The plans",
        body="Here they are.",
        idempotency_key="test:waiting",
    )
    page = web.get(reverse("home")).content.decode()
    assert "Hans van Verbeek" in page and "Verbeek &amp; Dochters" in page
    assert "Asked about the roof" in page and "Wants the plans" not in page
    assert "A message to them is waiting (draft)" in page
    # Another reader (another form token) never gets this reader's entries.
    from django.test import Client

    other = Client()
    other.force_login(owner)
    with translation.override("nl"):
        dutch = other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert token not in dutch
