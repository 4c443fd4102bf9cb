"""What a client sends never ends in a server error: NUL characters, huge ids, odd bodies, size."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from verbind.people.models import Organisation, Person
from verbind.transfer.backup import RestoreRefused, backup, restore

# Part of the fault suite (`pytest -m faults`): the limits on what a client sends.
pytestmark = pytest.mark.faults

HUGE = "99999999999999999999"


def test_a_nul_in_an_api_field_is_refused_naming_the_field(api, person):
    created = api.post("/api/v1/people", {"name": "Ann\x00a", "notes": "ok"})
    assert created.status_code == 422
    assert created.json()["code"] == "nul_character"
    assert "name" in created.json()["errors"]
    changed = api.patch(f"/api/v1/people/{person.pk}", {"notes": "a\x00b"})
    assert changed.status_code == 422 and "notes" in changed.json()["errors"]
    person.refresh_from_db()
    assert "\x00" not in person.notes
    assert not Person.objects.filter(name__startswith="Ann").exists()


def test_a_nul_in_a_search_is_ignored_on_the_web_and_the_api(web, api, person):
    assert web.get("/people/", {"q": "\x00"}).status_code == 200
    assert web.get("/organisations/", {"q": "Ver\x00beek"}).status_code == 200
    found = api.get("/api/v1/people", q=person.name[:3] + "\x00")
    assert found.status_code == 200
    assert [p["id"] for p in found.json()["items"]] == [person.pk]
    assert api.get("/api/v1/organisations", q="\x00").status_code == 200


def test_a_nul_typed_in_a_form_is_not_stored(web, person):
    page = web.post(
        "/people/new/", {"name": "Nul\x00la Jansen", "preferred_channel": "email", "language": "nl"}
    )
    assert page.status_code in (200, 302)
    assert [p.name for p in Person.objects.filter(name__startswith="Nul")] == ["Nulla Jansen"]


def test_a_nul_in_an_imported_file_is_left_out(tmp_path, owner, workspace):
    export = tmp_path / "contacts.vcf"
    export.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Piet Post\r\nEMAIL:piet@example.org\r\n"
        b"NOTE:" + b"x" * 5000 + b"\x00y\r\nEND:VCARD\r\n"
    )
    call_command("import", str(export), "--member", owner.email, verbosity=0)
    piet = Person.objects.get(email="piet@example.org")
    assert "\x00" not in piet.notes and piet.notes.endswith("y")


def test_restore_names_the_row_it_cannot_take(tmp_path, person):
    document = backup()
    row = next(o for o in document["data"] if o["model"] == "people.person")
    row["fields"]["notes"] = "fine\x00not fine"
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), "--replace")
    message = str(refused.value)
    assert "people.person" in message and str(row["pk"]) in message and "notes" in message
    assert Person.objects.filter(pk=person.pk).exists()  # nothing was replaced


def test_restore_names_a_row_the_database_refuses(person):
    document = backup()
    row = next(o for o in document["data"] if o["model"] == "people.person")
    row["fields"]["email"] = "x" * 5000  # longer than the column
    if connection.vendor == "sqlite":
        row["fields"]["organisation"] = 987654  # SQLite does not check lengths: a lost link
    with pytest.raises(RestoreRefused) as refused:
        restore(document, "backup.json", replace=True)
    assert re.search(r"people[._]person", refused.value.message, re.IGNORECASE)
    assert str(row["pk"]) in refused.value.message


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/people?organisation_id={HUGE}",
        f"/api/v1/appointments?person_id={HUGE}",
        f"/api/v1/promises?person_id={HUGE}",
        f"/api/v1/interactions?person_id={HUGE}",
        f"/api/v1/proposals?person_id={HUGE}",
        f"/api/v1/people/{HUGE}",
        f"/api/v1/organisations/{HUGE}",
        f"/api/v1/appointments/{HUGE}",
    ],
)
def test_an_id_too_large_for_the_database_is_a_client_error_in_the_api(api, path):
    answer = api.get(path)
    assert 400 <= answer.status_code < 500, answer.content
    assert answer.json()["message"]


def test_an_id_too_large_in_a_body_is_a_client_error(api, person):
    answer = api.post(
        "/api/v1/promises",
        {"what": "x", "person_id": int(HUGE), "due_at": "2030-01-01T10:00:00+01:00"},
    )
    assert answer.status_code == 422 and "person_id" in answer.json()["errors"]
    answer = api.patch(f"/api/v1/people/{person.pk}", {"organisation_id": int(HUGE)})
    assert answer.status_code == 422


@pytest.mark.parametrize(
    "path", [f"/people/{HUGE}/", f"/organisations/{HUGE}/", f"/outbox/{HUGE}/"]
)
def test_an_id_too_large_in_a_web_address_is_not_found(web, path):
    assert web.get(path).status_code == 404


@pytest.mark.parametrize("chosen", [HUGE, "²", "-1", ""])
def test_the_workspace_switcher_refuses_an_impossible_workspace(web, chosen):
    assert web.post("/workspace/", {"workspace": chosen}).status_code == 404


def test_merging_with_an_impossible_person_is_not_found(web, person):
    answer = web.post("/duplicates/merge/", {"keep": str(person.pk), "remove": HUGE})
    assert answer.status_code == 404


@pytest.mark.parametrize("body", ["[]", "3", '"text"', "null", "true"])
def test_a_body_that_is_not_an_object_is_refused(api, person, organisation, body):
    for path in (f"/api/v1/people/{person.pk}", f"/api/v1/organisations/{organisation.pk}"):
        answer = api.client.patch(path, body, content_type="application/json", headers=api.headers)
        assert answer.status_code == 422, (path, body, answer.content)
        assert answer.json()["code"] == "not_an_object"
    answer = api.client.post(
        "/api/v1/people", body, content_type="application/json", headers=api.headers
    )
    assert answer.status_code == 422


def test_a_body_over_the_limit_is_a_413_with_a_message(api, web):
    big = json.dumps({"name": "Big", "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    answer = api.client.post(
        "/api/v1/people", big, content_type="application/json", headers=api.headers
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large" and "2.62144 MB" in answer.json()["message"]
    page = web.post(
        "/people/new/", {"name": "Big", "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    )
    assert page.status_code == 413
    assert "Too much at once" in page.content.decode()
    assert not Organisation.objects.filter(name="Big").exists()
