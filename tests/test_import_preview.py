"""The import preview shows each row and what it does, and rows can be left out."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_import_web_and_export import confirm
from verbind.people.models import Organisation, Person

CSV = (
    b"Name,Email,Company,Job Title\n"
    b"Anna de Vries,anna@example.org,Vries Advies,Owner\n"
    b"Bram Smit,bram@example.org,,\n"
    b"Hans Verbeek,hans@verbeek.example,Other Company,Director\n"
)


def upload(web):
    answer = web.post(
        reverse("import"),
        {"file": SimpleUploadedFile("contacts.csv", CSV), "format": "auto"},
    )
    return answer["Location"]


def test_each_row_says_new_filled_in_or_that_the_file_says_otherwise(web, person, workspace):
    person.job_title = "Owner"
    person.save()
    page = web.get(upload(web)).content.decode()
    assert "Anna de Vries" in page and "Bram Smit" in page
    hans = page.split("Hans Verbeek</strong>")[1].split("</tr>")[0]
    assert "we know “Verbeek Bouwadvies”, the file says “Other Company”" in hans
    assert "we know “Owner”, the file says “Director”" in hans


def test_a_row_left_out_is_not_imported(web, workspace):
    preview = upload(web)
    confirm(web, preview, {"rows_shown": "1", "keep": ["2", "4"]})  # line 3 (Bram) unticked
    assert set(Person.objects.values_list("name", flat=True)) == {"Anna de Vries", "Hans Verbeek"}


def test_the_format_names_are_in_the_page_language(web):
    page = web.get(reverse("import"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "LinkedIn-connecties" in page and "Een andere spreadsheet (CSV)" in page


def test_linkedin_profile_addresses_are_kept_and_shown(web, workspace):
    from tests.test_import_web_and_export import upload as upload_file

    preview = upload_file(web, "linkedin_connections.csv")["Location"]
    confirm(web, preview)
    joost = Person.objects.exclude(profile_url="").first()
    assert joost.profile_url.startswith("https://www.linkedin.com/in/")
    assert "LinkedIn profile" in web.get(joost.get_absolute_url()).content.decode()
    assert Organisation.objects.exists()
