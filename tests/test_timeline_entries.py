"""Logging says something, and a logged entry can be corrected or removed by who logged it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from verbind.people.models import EntryChange, Interaction
from verbind.workspaces.models import Role


def log(web, person, **data):
    return web.post(
        reverse("person_action", args=[person.pk, "interaction"]),
        {"kind": "meeting", "direction": "mutual", "occurred_at": "2026-11-30T10:00", **data},
        headers={"HX-Request": "true"},
    )


def test_logging_an_empty_entry_is_refused_at_the_notes_field(web, person):
    answer = log(web, person, notes="   ")
    assert "Write a word about what was said or done" in answer.content.decode()
    assert not Interaction.objects.exists()


@pytest.fixture
def entry(web, person):
    log(web, person, notes="Talked about the new office")
    return Interaction.objects.get()


def test_who_logged_it_corrects_it_and_the_old_words_are_kept(web, entry):
    page = web.post(
        reverse("entry_edit", args=[entry.pk]),
        {"kind": "call", "notes": "Talked about the new office in Zwolle"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "in Zwolle" in page and "edited" in page
    entry.refresh_from_db()
    assert (entry.kind, entry.notes) == ("call", "Talked about the new office in Zwolle")
    [change] = EntryChange.objects.all()
    assert change.action == "edited" and change.before["notes"] == "Talked about the new office"


def test_an_entry_cannot_be_emptied_by_an_edit(web, entry):
    web.post(reverse("entry_edit", args=[entry.pk]), {"kind": "call", "notes": ""})
    entry.refresh_from_db()
    assert entry.notes == "Talked about the new office" and not EntryChange.objects.exists()


def test_a_colleague_may_not_change_it_but_a_manager_may_remove_it(
    web, entry, colleague, workspace
):
    other = Client()
    other.login(username=colleague.email, password=PASSWORD)
    answer = other.post(reverse("entry_delete", args=[entry.pk]), follow=True)
    assert answer.status_code == 403
    assert "remove a timeline entry only when it is your own" in answer.content.decode()
    assert Interaction.objects.filter(pk=entry.pk).exists()
    assert "Correct or remove" not in other.get(entry.person.get_absolute_url()).content.decode()
    colleague.memberships.update(role=Role.MANAGER)
    other.post(reverse("entry_delete", args=[entry.pk]))
    assert not Interaction.objects.filter(pk=entry.pk).exists()
    [change] = EntryChange.objects.all()
    assert change.action == "deleted" and change.changed_by == colleague
    assert change.before["notes"] == "Talked about the new office"


def test_the_api_edits_and_deletes_by_the_same_rule(api, entry, colleague, workspace):
    from tests.conftest import ApiClient
    from verbind.workspaces.models import ApiToken

    fixed = api.patch(f"/api/v1/interactions/{entry.pk}", {"notes": "Office in Zwolle"})
    assert fixed.status_code == 200 and fixed.json()["notes"] == "Office in Zwolle"
    assert api.patch(f"/api/v1/interactions/{entry.pk}", {"notes": " "}).status_code == 422
    _token, raw = ApiToken.issue(colleague.memberships.get(), "script")
    theirs = ApiClient(raw).delete(f"/api/v1/interactions/{entry.pk}")
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_allowed"
    assert api.delete(f"/api/v1/interactions/{entry.pk}").status_code == 204
