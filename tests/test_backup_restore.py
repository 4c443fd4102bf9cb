"""Backup → a fresh database → restore → identical content (on SQLite and, in CI, PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.demo.stories import load_demo
from verbind.people.models import Person
from verbind.transfer.backup import RestoreRefused, backup, restore


def content(document: dict) -> list:
    return sorted(json.dumps(o, sort_keys=True) for o in document["data"])


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_is_identical(owner):
    load_demo(owner)
    before = backup()
    assert len(before["data"]) > 40
    call_command("flush", interactive=False, verbosity=0)  # a fresh, empty database
    assert not Person.objects.exists()
    restore(before, "backup.json")
    after = backup()
    assert content(after) == content(before)
    assert after["schema"] == before["schema"]
    # New rows after a restore get new ids (PostgreSQL's sequences were moved on).
    person = Person.objects.create(
        workspace=Person.objects.first().workspace, name="New after restore"
    )
    assert person.pk > max(o["pk"] for o in before["data"] if o["model"] == "people.person")


@pytest.mark.django_db(transaction=True)
def test_the_cli_round_trip_and_its_refusals(owner, tmp_path, capsys):
    load_demo(owner)
    path = tmp_path / "backup.json"
    call_command("backup", str(path))
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(path))
    call_command("restore", str(path), "--replace")
    assert "Restored" in capsys.readouterr().out
    newer = json.loads(path.read_text())
    newer["schema"]["people"].append("0099_from_the_future")
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    with pytest.raises(
        CommandError, match="newer Verbind: people migration 0099_from_the_future"
    ) as refused:
        call_command("restore", str(tmp_path / "newer.json"), "--replace")
    assert refused.value.returncode == 2
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not a Verbind backup"):
        call_command("restore", str(tmp_path / "other.json"))
    (tmp_path / "junk.json").write_bytes(b"\x00\xff not json")
    with pytest.raises(CommandError, match="not a Verbind backup"):
        call_command("restore", str(tmp_path / "junk.json"))


def test_a_refused_restore_changes_nothing(workspace, person):
    document = backup()
    document["schema"]["people"].append("0099_from_the_future")
    with pytest.raises(RestoreRefused):
        restore(document, "newer.json", replace=True)
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_times_keep_every_microsecond(owner):
    """A time with less than a millisecond past the second came back different before."""
    load_demo(owner)
    person = Person.objects.first()
    at = person.created_at.replace(microsecond=417)
    Person.objects.filter(pk=person.pk).update(created_at=at)
    document = backup()
    call_command("flush", interactive=False, verbosity=0)
    restore(document, "backup.json")
    assert Person.objects.get(pk=person.pk).created_at == at
    assert content(backup()) == content(document)


@pytest.mark.django_db(transaction=True)
def test_calendars_absences_and_offers_are_in_the_backup(owner):
    from verbind.scheduling.models import BusyBlock, Calendar, Proposal

    load_demo(owner)
    assert Calendar.objects.exists() and BusyBlock.objects.exists()
    document = backup()
    models = {o["model"] for o in document["data"]}
    assert {"scheduling.calendar", "scheduling.busyblock"} <= models
    call_command("flush", interactive=False, verbosity=0)
    restore(document, "backup.json")
    assert BusyBlock.objects.filter(absence=True, summary="Trip around the world").exists()
    assert Proposal.objects.count() == sum(
        o["model"] == "scheduling.proposal" for o in document["data"]
    )
