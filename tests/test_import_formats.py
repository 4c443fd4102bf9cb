"""Each importer on real-world shaped exports (tests/corpus), and any bytes at all (hypothesis)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbind.transfer import detect
from verbind.transfer.decoding import decode
from verbind.transfer.records import ImportFailed, Parsed

CORPUS = Path(__file__).parent / "corpus"


def parse(name: str, fmt: str = "auto") -> Parsed:
    return detect.parse(decode((CORPUS / name).read_bytes(), name), name, fmt)


def by_name(parsed: Parsed) -> dict:
    return {r.name: r for r in parsed.records}


def test_linkedin_finds_its_header_below_the_notes_and_keeps_when_you_connected():
    parsed = parse("linkedin_connections.csv")
    assert parsed.format == "linkedin"
    people = by_name(parsed)
    assert set(people) == {"Hans Verbeek", "Linda Bakker", "Joost Hermans", "Eva Jansen"}
    hans = people["Hans Verbeek"]
    assert (hans.emails, hans.organisation, hans.job_title) == (
        ["hans@verbeek.example"],
        "Verbeek Bouwadvies",
        "Owner",
    )
    assert (hans.met_on, hans.met_how) == (date(2026, 6, 15), "LinkedIn")
    assert people["Joost Hermans"].organisation == "Hermans Marketing, Zeist"
    assert parsed.skipped_empty == 1  # the connection that shows nothing but a date
    [problem] = parsed.problems
    assert (problem.line, problem.field, problem.fatal_for_row) == (9, "Connected On", False)
    assert hans.line == 5


def test_google_current_layout_splits_values_on_triple_colons():
    mark = by_name(parse("google_contacts.csv"))["Mark de Boer"]
    assert mark.emails == ["mark@deboer.example", "mark.deboer@work.example"]
    assert mark.phones == ["06 34567890", "+31 30 765 4321"]
    assert (mark.organisation, mark.job_title, mark.notes) == (
        "De Boer Tuinen",
        "Garden architect",
        "Club evening guest",
    )


def test_google_legacy_layout():
    parsed = parse("google_legacy.csv")
    assert parsed.format == "google"
    karin = by_name(parsed)["Karin Vos"]
    assert (karin.emails, karin.phones, karin.organisation) == (
        ["karin@club.example"],
        ["0612121212"],
        "Ondernemersclub Utrecht-Oost",
    )


def test_outlook_desktop_collects_every_address_and_number():
    parsed = parse("outlook_desktop.csv")
    assert parsed.format == "outlook"
    people = by_name(parsed)
    assert people["Ahmed Yilmaz"].phones == ["06 45678901", "030 1234567"]
    assert people["Roel Dijkstra"].emails == ["r.dijkstra@utrecht.example", "roel@home.example"]


def test_a_dutch_outlook_export_with_semicolons_in_windows_1252():
    parsed = parse("outlook_nl_semicolon.csv")
    assert by_name(parsed)["Sanne de Wit"].organisation == "Studio Lindeboom"


def test_any_csv_by_its_dutch_column_names():
    people = by_name(parse("generic_nl.csv"))
    assert set(people) == {"Renée Smit", "Jürgen Müller"}  # Windows-1252 read right
    assert people["Renée Smit"].organisation == "Café De Rode Hoed"


def test_a_csv_column_mapping_given_by_the_user():
    text = "Wie;Mail\nAnna;anna@example.org\n"
    parsed = detect.parse(text, "x.csv", "csv", "name=Wie,email=Mail")
    assert [(r.name, r.emails) for r in parsed.records] == [("Anna", ["anna@example.org"])]
    with pytest.raises(ImportFailed, match="no such column"):
        detect.parse(text, "x.csv", "csv", "name=Naam")


def test_vcard_21_from_android_quoted_printable_charsets_and_photos():
    people = by_name(parse("android_21.vcf"))
    anneke = people["Anneke Janssen"]
    assert anneke.notes.startswith(
        "Ontmoet op de netwerkborrel in Utrecht, praatte over haar nieuwe zaak"
    )
    assert anneke.phones == ["06-55544433"] and anneke.emails == ["anneke@jansen.example"]
    assert people["Jürgen Müller"].organisation == "Müller GmbH"  # ISO-8859-1 quoted-printable


def test_vcard_30_from_an_iphone_and_40():
    joost = by_name(parse("iphone_30.vcf"))["Joost Hermans"]
    assert (joost.organisation, joost.job_title) == ("Hermans Marketing", "Marketing advisor")
    assert joost.notes == "Gave Eva two hours of his time, for free."
    olivia = by_name(parse("vcard_40.vcf"))["Olivia Hart"]
    assert olivia.phones == ["+44-20-7946-0958"]


def test_a_broken_card_is_named_by_its_line_and_the_others_still_read():
    parsed = parse("broken.vcf")
    assert [r.name for r in parsed.records] == ["Good Card"]
    [problem] = parsed.problems
    assert problem.line == 9 and "unreadable card" in problem.message


def test_binary_and_undecodable_files_are_refused_with_the_line():
    with pytest.raises(ImportFailed, match="binary file"):
        decode(b"\x00\x01\x02PK", "photo.jpg")
    with pytest.raises(ImportFailed, match="line 2") as refused:
        decode(b"name\n\x81\x8d\x8f\n", "odd.csv")
    assert "neither UTF-8 nor Windows-1252" in str(refused.value)


@pytest.mark.parametrize("fmt", ["auto", "vcard", "linkedin", "google", "outlook", "csv"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode()))
def test_any_bytes_end_in_records_or_a_clear_error(fmt, data):
    try:
        parsed = detect.parse(decode(data, "any.file"), "any.file", fmt)
    except ImportFailed as failed:
        assert failed.problem.file == "any.file" and failed.problem.line >= 1
        return
    for problem in parsed.problems:
        assert problem.file == "any.file" and problem.line >= 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30), max_size=8)
)
def test_any_vcard_lines_end_in_records_or_named_problems(lines):
    text = "BEGIN:VCARD\r\nVERSION:2.1\r\n" + "\r\n".join(lines) + "\r\nEND:VCARD\r\n"
    try:
        parsed = detect.parse(text, "fuzz.vcf", "vcard")
    except ImportFailed:
        return
    assert all(p.line >= 1 for p in parsed.problems)


def test_lotus_notes_lower_case_tab_folding_and_windows_1252():
    rene = by_name(parse("lotus_notes.vcf"))["René Dupré"]
    assert (rene.organisation, rene.job_title, rene.emails) == (
        "Dupré & Fils",
        "Directeur",
        ["rene@dupre.example"],
    )
    assert rene.phones == ["+33 1 42 68 53 00"]
    assert (
        rene.notes == "Met at the Lyon trade fair; wants afollow-up in spring."
    )  # a fold joins without a space
