"""People with several e-mail addresses and phone numbers: kept, exported, backed up."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from verbind.people.models import ContactKind, ContactPoint, Person
from verbind.transfer.backup import backup, restore
from verbind.transfer.exporting import people_of, vcard, workspace_json
from verbind.transfer.importing import plan_import


@pytest.fixture
def mark(workspace):
    mark = Person.objects.create(
        workspace=workspace, name="Mark de Boer", email="mark@deboer.example"
    )
    mark.add_contact_point(ContactKind.EMAIL, " Mark.DeBoer@Work.example ")
    mark.add_contact_point(ContactKind.PHONE, "06 34567890")
    mark.add_contact_point(ContactKind.PHONE, "030 765 4321")
    return mark


def test_the_first_number_becomes_the_primary_and_the_rest_are_kept_normalised(mark):
    mark.refresh_from_db()
    assert mark.email == "mark@deboer.example" and mark.phone == "+31634567890"
    assert mark.emails == ["mark@deboer.example", "mark.deboer@work.example"]
    assert mark.phones == ["+31634567890", "+31307654321"]
    assert [p.display for p in mark.more_phones] == ["+31 30 765 4321"]
    assert mark.add_contact_point(ContactKind.PHONE, "+31 30 765 4321") is None  # had it
    assert mark.add_contact_point(ContactKind.EMAIL, "MARK@deboer.example") is None  # primary
    assert ContactPoint.objects.filter(person=mark).count() == 2


def test_a_bad_number_is_refused_in_words(mark):
    with pytest.raises(ValidationError, match="does not look like a phone number"):
        mark.add_contact_point(ContactKind.PHONE, "not a number")
    point = ContactPoint(person=mark, kind=ContactKind.EMAIL, value="nope")
    with pytest.raises(ValidationError):
        point.full_clean()


def test_the_vcard_export_writes_every_address_and_number_and_reads_back_the_same(mark, workspace):
    text = vcard(people_of(workspace))
    assert "EMAIL;PREF=1:mark@deboer.example" in text
    assert "EMAIL:mark.deboer@work.example" in text
    assert "TEL;PREF=1;VALUE=uri:tel:+31634567890" in text
    assert "TEL;VALUE=uri:tel:+31307654321" in text
    again = plan_import(text.encode(), "people.vcf", workspace)
    assert [(r.action, r.person_id) for r in again.rows] == [("same", mark.pk)]


def test_the_workspace_export_holds_the_contact_points(mark, workspace):
    document = workspace_json(workspace)
    values = [
        o["fields"]["value"] for o in document["objects"] if o["model"] == "people.contactpoint"
    ]
    assert sorted(values) == ["+31307654321", "mark.deboer@work.example"]


@pytest.mark.django_db(transaction=True)
def test_a_backup_brings_back_every_address(mark):
    before = backup()
    assert any(o["model"] == "people.contactpoint" for o in before["data"])
    call_command("flush", interactive=False, verbosity=0)
    restore(before, "backup.json")
    restored = Person.objects.get(pk=mark.pk)
    assert restored.emails == ["mark@deboer.example", "mark.deboer@work.example"]
    assert restored.phones == ["+31634567890", "+31307654321"]
    assert sorted(json.dumps(o, sort_keys=True) for o in backup()["data"]) == sorted(
        json.dumps(o, sort_keys=True) for o in before["data"]
    )
