"""Importing as a user meets it: preview, one transaction, nothing twice, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.lib.refusals import Refused
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
    # Only what was still empty: the phone and the notes (LinkedIn gave his profile address).
    assert joost.action == "update" and set(joost.changes) == {"phone", "notes"}
    apply(third, workspace)
    stored = Person.objects.get(email="joost@hermans.example")
    assert stored.phone == "+31622223333"
    assert stored.profile_url.startswith("https://www.linkedin.com/in/")
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


def test_every_address_and_number_of_a_contact_is_kept_the_first_as_primary(workspace):
    apply(plan(workspace, "google_contacts.csv"), workspace)
    mark = Person.objects.get(name="Mark de Boer")
    assert (mark.email, mark.phone) == ("mark@deboer.example", "+31634567890")
    assert mark.emails == ["mark@deboer.example", "mark.deboer@work.example"]
    assert mark.phones == ["+31634567890", "+31307654321"]


def test_a_known_person_is_matched_by_any_of_their_addresses_and_gains_new_ones(workspace):
    apply(plan(workspace, "google_contacts.csv"), workspace)
    data = (
        b"Name,Email,Phone\n"
        b"Mark de Boer,MARK.DEBOER@work.example,06 99887766\n"  # his second address
        b"Someone,new@example.org,+31 30 765 4321\n"  # Mark's second number
    )
    again = plan_import(data, "more.csv", workspace)
    mark = Person.objects.get(name="Mark de Boer")
    assert [(r.action, r.person_id) for r in again.rows] == [("update", mark.pk)] * 2
    assert again.rows[0].more == [("phone", "+31699887766")]
    assert again.rows[1].more == [("email", "new@example.org")]
    assert apply(again, workspace) == {"created": 0, "updated": 2}
    assert Person.objects.count() == 3
    mark.refresh_from_db()
    assert mark.emails == ["mark@deboer.example", "mark.deboer@work.example", "new@example.org"]
    assert mark.phones == ["+31634567890", "+31307654321", "+31699887766"]
    assert plan_import(data, "more.csv", workspace).count("same") == 2  # nothing new twice


def test_an_address_known_as_someone_elses_is_not_given_to_another(workspace):
    Person.objects.create(workspace=workspace, name="Anna", email="anna@example.org")
    eva = Person.objects.create(workspace=workspace, name="Eva", email="eva@example.org")
    data = b"Name,Email\nEva,eva@example.org\n"
    rows = plan_import(data, "eva.csv", workspace).rows
    assert rows[0].action == "same"
    both = plan_import(
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Eva\nEMAIL:eva@example.org\nEMAIL:anna@example.org\nEND:VCARD\n",
        "eva.vcf",
        workspace,
    )
    assert [(r.action, r.person_id, r.more) for r in both.rows] == [("same", eva.pk, [])]


def test_a_contact_repeated_in_the_file_with_another_number_keeps_both(workspace):
    data = (
        b"Name,Email,Phone\n"
        b"Anna de Vries,anna@example.org,06 11111111\n"
        b"A. de Vries,anna@example.org,06 22222222\n"
    )
    repeated = plan_import(data, "twice.csv", workspace)
    assert [r.action for r in repeated.rows] == ["new", "duplicate"]
    apply(repeated, workspace)
    anna = Person.objects.get()
    assert anna.phones == ["+31611111111", "+31622222222"]


def test_a_refused_import_is_a_refusal_with_a_code(workspace):
    with pytest.raises(Refused) as refused:
        apply(plan(workspace, "broken.vcf"), workspace)
    assert refused.value.code == "import" and "nothing was written" in refused.value.message


def test_planning_and_applying_take_the_same_few_queries_for_any_number_of_rows(
    workspace, django_assert_max_num_queries
):
    def cards(count: int) -> bytes:
        return "".join(
            f"BEGIN:VCARD\nVERSION:3.0\nFN:P{n}\nORG:Org {n % 7}\nEMAIL:p{n}@example.org\n"
            f"EMAIL:p{n}@home.example\nTEL:06 1{n:07d}\nTEL:06 2{n:07d}\nEND:VCARD\n"
            for n in range(count)
        ).encode()

    known = Person.objects.create(
        workspace=workspace, name="Known", email="p0@example.org", phone="+31699999999"
    )
    known.add_contact_point("phone", "06 88888888")
    for rows in (10, 200):
        with django_assert_max_num_queries(4):
            # organisations, every known address (two), and the people the file names
            planned = plan_import(cards(rows), "many.vcf", workspace)
        with django_assert_max_num_queries(10):
            assert apply(planned, workspace) == {"created": rows - 1, "updated": 1}
        assert Person.objects.get(name=f"P{rows - 1}").phones == [
            f"+316{1}{rows - 1:07d}",
            f"+316{2}{rows - 1:07d}",
        ]
        known.refresh_from_db()
        assert known.emails == ["p0@example.org", "p0@home.example"]
        assert known.phones == ["+31699999999", "+31688888888", "+31610000000", "+31620000000"]
        Person.objects.exclude(pk=known.pk).delete()
        known.contact_points.exclude(value="+31688888888").delete()


def test_known_people_are_filled_in_each_with_their_own_fields(workspace):
    ann = Person.objects.create(workspace=workspace, name="Ann Smit", email="ann@smit.example")
    bob = Person.objects.create(
        workspace=workspace, name="Bob Vries", email="bob@vries.example", job_title="Baker"
    )
    data = (
        b"Name,Email,Company,Job Title,Notes\n"
        b"Ann Smit,ann@smit.example,Smit & Co,Director,\n"
        b"Bob Vries,bob@vries.example,,Master baker,Met at the fair\n"
    )
    planned = plan_import(data, "known.csv", workspace)
    assert [row.action for row in planned.rows] == ["update", "update"]
    assert apply(planned, workspace) == {"created": 0, "updated": 2}
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert (ann.organisation.name, ann.job_title) == ("Smit & Co", "Director")
    assert bob.job_title == "Baker"  # what we knew stays; the file's other title is a conflict
    assert bob.notes == "Met at the fair" and bob.organisation is None
