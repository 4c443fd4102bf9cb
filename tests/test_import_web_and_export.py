"""The newcomer's path: upload LinkedIn and a phone's vCard, see the preview, merge, take it all out."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from verbind.people.models import Person
from verbind.transfer.exporting import csv_text, people_of, vcard
from verbind.transfer.importing import plan_import

CORPUS = Path(__file__).parent / "corpus"


def upload(web, name):
    data = (CORPUS / name).read_bytes()
    return web.post(reverse("import"), {"file": SimpleUploadedFile(name, data), "format": "auto"})


def confirm(web, preview_url, data=None) -> str:
    """Press Import: the page streams while the import runs; read it to the end, as a browser does."""
    response = web.post(preview_url, data or {})
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_upload_shows_a_preview_and_imports_only_when_confirmed(web, workspace):
    response = upload(web, "linkedin_connections.csv")
    preview_url = response["Location"]
    page = web.get(preview_url).content.decode()
    assert "linkedin_connections.csv (LinkedIn connections)" in page
    assert "“yesterday” is not a date" in page
    assert not Person.objects.exists()
    page = confirm(web, preview_url)
    assert "<progress" in page and "step(4)" in page
    assert (
        'location.replace("/duplicates/?imported=4&amp;filled=0")' in page
        or "imported=4&filled=0" in page
    )
    assert Person.objects.in_workspace(workspace).count() == 4
    assert (
        "Imported: 4 new, 0 filled in."
        in web.get("/duplicates/?imported=4&filled=0").content.decode()
    )
    assert web.get(preview_url).status_code == 404  # used up


def test_a_file_with_errors_needs_a_choice(web, workspace):
    preview_url = upload(web, "broken.vcf")["Location"]
    response = web.post(preview_url, follow=True)
    assert "nothing was imported" in response.content.decode()
    assert not Person.objects.exists()
    confirm(web, preview_url, {"valid_only": "1"})
    assert Person.objects.count() == 1


def test_someone_elses_preview_is_not_found(web, outsider_web):
    preview_url = upload(web, "vcard_40.vcf")["Location"]
    assert outsider_web.get(preview_url).status_code == 404


def test_an_unreadable_upload_is_explained(web):
    response = web.post(
        reverse("import"),
        {"file": SimpleUploadedFile("x.bin", b"\x00\x01\x02"), "format": "auto"},
        follow=True,
    )
    assert "binary file" in response.content.decode()


def test_everything_goes_out_as_vcard_and_csv_and_comes_back_unchanged(web, workspace):
    upload_url = upload(web, "google_contacts.csv")["Location"]
    confirm(web, upload_url)
    exported = web.get(reverse("export_vcard"))
    assert exported["Content-Type"].startswith("text/vcard")
    text = exported.content.decode()
    assert text.count("BEGIN:VCARD") == 3 and "VERSION:4.0" in text
    again = plan_import(exported.content, "people.vcf", workspace)
    assert (again.count("new"), again.count("update")) == (0, 0)  # the same people, nothing new
    csv_out = csv_text(people_of(workspace))
    assert csv_out.splitlines()[0].startswith("Name,E-mail,Phone")
    assert "Mark de Boer,mark@deboer.example,+31634567890,De Boer Tuinen" in csv_out
    assert vcard(people_of(workspace)).count("END:VCARD") == 3


def test_verbind_export_writes_vcard_csv_and_the_whole_workspace_as_json(
    workspace, owner, person, tmp_path
):
    import json

    from django.core.management import call_command

    for fmt, check in [("vcard", "BEGIN:VCARD"), ("csv", "Hans Verbeek,hans@verbeek.example")]:
        call_command(
            "export", str(tmp_path / f"out.{fmt}"), "--format", fmt, "--member", owner.email
        )
        assert check in (tmp_path / f"out.{fmt}").read_text()
    call_command("export", str(tmp_path / "all.json"), "--format", "json", "--member", owner.email)
    document = json.loads((tmp_path / "all.json").read_text())
    assert document["workspace"]["slug"] == workspace.slug
    assert {o["model"] for o in document["objects"]} >= {
        "people.person",
        "people.organisation",
        "workspaces.membership",
    }


def test_a_csv_with_unknown_columns_can_be_mapped_on_the_web(web, workspace):
    data = b"Wie;Adres\nAnna;anna@example.org\n"
    refused = web.post(
        reverse("import"),
        {"file": SimpleUploadedFile("x.csv", data), "format": "auto"},
        follow=True,
    )
    assert "no name or e-mail column found" in refused.content.decode()
    mapped = web.post(
        reverse("import"),
        {
            "file": SimpleUploadedFile("x.csv", data),
            "format": "csv",
            "mapping": "name=Wie,email=Adres",
        },
    )
    confirm(web, mapped["Location"])
    assert Person.objects.get().email == "anna@example.org"
