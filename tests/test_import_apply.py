"""Importing as a user meets it: preview, one transaction, nothing twice, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.people.models import Organisation, Person
from verbind.transfer.apply import ImportRefused, apply
from verbind.transfer.importing import plan_import

CORPUS = Path(__file__).parent / "corpus"


def plan(workspace, name, **options):
    return plan_import((CORPUS / name).read_bytes(), name, workspace, **options)


def test_a_linkedin_import_creates_people_and_their_organisations(workspace):
    result = apply(plan(workspace, "linkedin_connections.csv"), workspace)
    assert result == {"created": 4, "updated": 0}
    hans = Person.objects.get(email="hans@verbeek.example")
    assert (hans.organisation.name, hans.met_how, str(hans.met_on)) == (
        "Verbeek Bouwadvies",
        "LinkedIn",
        "2026-06-15",
    )
    assert Organisation.objects.filter(workspace=workspace).count() == 4


def test_re_importing_the_same_file_adds_nothing(workspace):
    apply(plan(workspace, "google_contacts.csv"), workspace)
    again = plan(workspace, "google_contacts.csv")
    assert (again.count("new"), again.count("update"), again.count("same")) == (0, 0, 3)
    apply(again, workspace)
    assert Person.objects.count() == 3


def test_the_same_email_or_phone_is_the_same_person_across_sources(workspace):
    apply(plan(workspace, "linkedin_connections.csv"), workspace)  # Hans with e-mail, no phone
    second = plan(workspace, "google_contacts.csv")  # Hans with a phone only… and the same name
    hans_rows = [r for r in second.rows if r.record.name == "Hans Verbeek"]
    assert (
        hans_rows[0].action == "new"
    )  # no shared e-mail or phone: a possible duplicate, not a match
    third = plan(workspace, "iphone_30.vcf")  # Joost, same e-mail as on LinkedIn
    [joost] = third.rows
    # Only what was still empty: the LinkedIn profile link already fills the notes.
    assert joost.action == "update" and joost.changes == {"phone": "+31622223333"}
    apply(third, workspace)
    stored = Person.objects.get(email="joost@hermans.example")
    assert stored.phone == "+31622223333"
    assert stored.job_title == "Marketing advisor"  # kept; nothing is overwritten


def test_a_file_with_errors_writes_nothing_unless_asked(workspace):
    broken = plan(workspace, "broken.vcf")
    with pytest.raises(ImportRefused):
        apply(broken, workspace)
    assert not Person.objects.exists()
    assert apply(broken, workspace, valid_only=True) == {"created": 1, "updated": 0}


def test_a_contact_repeated_within_the_file_is_imported_once(workspace):
    data = b"Name,Email\nAnna de Vries,anna@example.org\nA. de Vries,ANNA@example.org\n"
    repeated = plan_import(data, "twice.csv", workspace)
    assert [r.action for r in repeated.rows] == ["new", "duplicate"]
    assert repeated.rows[1].same_as_line == 2
    apply(repeated, workspace)
    assert Person.objects.count() == 1


def test_bad_phones_and_addresses_are_left_out_with_a_note(workspace):
    data = b"Name,Email,Phone\nBram,not-an-address,12\n"
    noted = plan_import(data, "notes.csv", workspace)
    assert [r.action for r in noted.rows] == ["new"]
    assert sorted(p.field for p in noted.warnings) == ["e-mail", "phone"]
    assert noted.errors == []


def test_the_cli_previews_imports_and_refuses_with_exit_2(workspace, owner, capsys):
    call_command(
        "import",
        str(CORPUS / "outlook_desktop.csv"),
        "--member",
        owner.email,
        "--dry-run",
        "--json",
    )
    preview = json.loads(capsys.readouterr().out)
    assert (preview["format"], preview["new"], preview["written"]) == ("outlook", 2, False)
    assert not Person.objects.exists()
    call_command("import", str(CORPUS / "outlook_desktop.csv"), "--member", owner.email)
    assert Person.objects.count() == 2
    with pytest.raises(CommandError, match="nothing was imported") as refused:
        call_command("import", str(CORPUS / "broken.vcf"), "--member", owner.email)
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import", "/nonexistent/contacts.csv", "--member", owner.email)


def test_an_import_lands_only_in_the_importers_workspace(
    workspace, owner, other_workspace, outsider
):
    call_command("import", str(CORPUS / "vcard_40.vcf"), "--member", outsider.email)
    assert Person.objects.in_workspace(other_workspace).count() == 1
    assert Person.objects.in_workspace(workspace).count() == 0
