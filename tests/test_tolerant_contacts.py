"""Contacts from any program, however old or odd its export, end in records or named problems.

The strategies below write cards and spreadsheets the way real programs do
(Outlook 2003 and Android vCard 2.1 with quoted-printable and CHARSET, Lotus
Notes, Evolution, Thunderbird, macOS Contacts 3.0 with item1. groups and
X-ABLabel, vCard 4.0; LinkedIn, Google and Outlook CSV with BOMs, semicolons and
Windows-1252), then bend them: folding anywhere, empty and half values, multi-
valued and grouped properties. Whatever comes out, nothing ends in a traceback:
the file imports, or each problem names its file, line and (where there is one) field.
"""

from __future__ import annotations

import quopri
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbind.transfer import detect
from verbind.transfer.decoding import decode
from verbind.transfer.importing import plan_import
from verbind.transfer.records import ImportFailed

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "corpus"


def read(name: str):
    return detect.parse(decode((CORPUS / name).read_bytes(), name), name)


def test_outlook_2003_commas_in_names_and_companies_and_windows_1252_quoted_printable():
    """Today's code ended this file in an AttributeError (a comma in ORG made a list)."""
    piet, renee = read("outlook_2003.vcf").records
    assert (piet.name, piet.organisation) == ("Piet Bakker, jr.", "Bakker, Smit & Zn.")
    assert piet.phones == ["(030) 123 45 67", "06 - 12 34 56 78"]
    assert (renee.name, renee.organisation) == ("Renée François", "Café Noir")
    assert (
        renee.notes == "Ontmoet op de beurs\nWil in het voorjaar een offerte, één voor elk filiaal."
    )


def test_macos_groups_labels_a_company_card_and_an_export_cut_off_inside_a_card():
    daan, company, cut_off = read("macos_contacts.vcf").records
    assert daan.emails == ["daan@kokenco.example", "daan.kok@vereniging.example"]
    assert daan.phones == ["+31 6 9876 5432"] and daan.organisation == "Kok & Co"
    assert (company.name, company.organisation) == ("Bouwbedrijf Hoekstra", "Bouwbedrijf Hoekstra")
    assert (cut_off.line, cut_off.emails) == (33, ["einde@afgekapt.example"])


def test_evolution_lists_and_thunderbird_40_uris(workspace):
    sanne, board = read("evolution.vcf").records
    assert sanne.notes == "Advies over duurzaam bouwen, groot netwerk in de regio."
    plan = plan_import((CORPUS / "evolution.vcf").read_bytes(), "evolution.vcf", workspace)
    assert {row.email for row in plan.rows} == {
        "sanne@vermeulenadvies.example"
    }  # the list repeats her
    lotte, _address_only = read("thunderbird_40.vcf").records
    assert lotte.phones == ["+31 20 555 0101", "+31-6-5555-0101"]  # "tel:" taken off


@pytest.mark.parametrize(
    "card",
    [
        "N:,:\r\n",  # vobject makes a list in a list of it
        "ORG:,:\r\n",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=\r\n",
        "item1.N:Jansen;Anna\r\nitem1.N:Jansen;Anne\r\n",
        "CATEGORIES:a,b\r\nFN:\r\n",
    ],
)
def test_cards_that_crashed_the_import_now_import_or_name_their_line(card, workspace):
    data = ("BEGIN:VCARD\r\nVERSION:2.1\r\n" + card + "END:VCARD\r\n").encode()
    assert_named(lambda: plan_import(data, "odd.vcf", workspace), "odd.vcf")


# Text the way people write names and notes, with the characters vCard treats as structure.
WORDS = st.text(
    alphabet=st.sampled_from(list("abcdeéëüßøçAZ ZOE-'.,;:\\=\"Ã©\t€中😀")),
    max_size=24,
)
NAMES = st.sampled_from(["Jansen", "Müller", "Dupré & Fils", "O'Brien", "van der Berg", ""])


@st.composite
def value(draw, version: str):
    text = draw(st.one_of(NAMES, WORDS))
    if version == "2.1" and draw(st.booleans()):
        charset = draw(st.sampled_from(["UTF-8", "ISO-8859-1", "windows-1252", "X-UNKNOWN", ""]))
        try:
            raw = text.encode(charset or "utf-8")
        except (LookupError, UnicodeEncodeError):
            raw = text.encode("utf-8")
        encoded = quopri.encodestring(raw, quotetabs=True).decode("ascii")
        encoded = (
            encoded.replace("\n", "=\r\n") if draw(st.booleans()) else encoded.replace("\n", "")
        )
        params = ";ENCODING=QUOTED-PRINTABLE" if draw(st.booleans()) else ";QUOTED-PRINTABLE"
        if charset:
            params = f";CHARSET={charset}" + params
        return params, encoded
    return "", text


TYPES = {
    "2.1": ["", ";HOME", ";WORK;PREF", ";CELL;VOICE", ";INTERNET", ";X-CUSTOM"],
    "3.0": ["", ";TYPE=WORK", ";type=INTERNET;type=pref", ";TYPE=CELL,VOICE", ';TYPE="work"'],
    "4.0": ["", ";TYPE=work", ';TYPE="cell,voice";PREF=1', ";VALUE=uri;TYPE=home", ";PID=1.1"],
}


@st.composite
def prop(draw, version: str):
    kind = draw(
        st.sampled_from(
            [
                "N",
                "FN",
                "ORG",
                "TITLE",
                "NOTE",
                "EMAIL",
                "TEL",
                "ADR",
                "BDAY",
                "CATEGORIES",
                "URL",
                "X-ABLabel",
                "PHOTO",
                "LABEL",
                "X-EVOLUTION-FILE-AS",
                "NICKNAME",
                "GARBAGE",
            ]
        )
    )
    params, text = draw(value(version))
    group = draw(st.sampled_from(["", "", "item1.", "item2.", "ITEM1.", "a.b."]))
    if kind == "N":
        parts = draw(st.lists(st.one_of(NAMES, WORDS), min_size=0, max_size=6))
        return f"{group}N{params}:" + ";".join(parts if not params else [text] + parts[1:])
    if kind == "ORG":
        parts = draw(st.lists(st.one_of(NAMES, WORDS), min_size=0, max_size=3))
        return f"{group}ORG{params}:" + ";".join([text] + parts)
    if kind in ("EMAIL", "TEL"):
        kinds = draw(st.sampled_from(TYPES[version]))
        address = draw(
            st.sampled_from(
                [
                    "anna@example.org",
                    "ANNA@EXAMPLE.ORG ",
                    "anna(at)example",
                    "+31 6 1234 5678",
                    "tel:+31-20-555-0101",
                    "06-55544433",
                    "",
                    text,
                ]
            )
        )
        many = ",".join([address] * draw(st.integers(1, 2)))
        return f"{group}{kind}{kinds}{params}:{many}"
    if kind == "ADR":
        return f"{group}ADR{params};TYPE=WORK:;;{text};Utrecht;;3511 AB;Nederland"
    if kind == "BDAY":
        return "BDAY:" + draw(
            st.sampled_from(["19800105", "1980-01-05", "--0105", "1980-13-45", ""])
        )
    if kind == "CATEGORIES":
        return f"CATEGORIES:{text},klant,{text}"
    if kind == "X-ABLabel":
        return f"{group or 'item1.'}X-ABLabel:" + draw(st.sampled_from(["_$!<Other>!$_", text]))
    if kind == "PHOTO":
        block = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        if version == "2.1":
            return f"PHOTO;ENCODING=BASE64;TYPE=JPEG:{block}\r\n  {block}\r\n"
        return f"PHOTO;ENCODING=b;TYPE=JPEG:{block}"
    if kind == "GARBAGE":
        return draw(st.sampled_from([text, ":" + text, ";;;", "=", "BEGIN:VCARD", "END:" + text]))
    return f"{group}{kind}{params}:{text}"


def fold(line: str, at: int, mark: str) -> str:
    return line if at >= len(line) or at == 0 else line[:at] + "\r\n" + mark + line[at:]


@st.composite
def card(draw):
    version = draw(st.sampled_from(["2.1", "3.0", "4.0"]))
    lines = [draw(prop(version)) for _ in range(draw(st.integers(0, 8)))]
    lines = [
        fold(line, draw(st.integers(0, 80)), draw(st.sampled_from([" ", "\t"]))) for line in lines
    ]
    head = draw(st.sampled_from(["BEGIN:VCARD", "begin:vcard", "BEGIN:VCARD "]))
    tail = draw(st.sampled_from(["END:VCARD", "end:vcard", "END:VCARD", ""]))
    return "\r\n".join([head, f"VERSION:{version}", *lines, tail])


@st.composite
def vcard_file(draw):
    text = "\r\n".join(draw(st.lists(card(), min_size=1, max_size=4))) + "\r\n"
    if draw(st.booleans()):
        text = text.replace("\r\n", "\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


def assert_named(action, filename):
    try:
        plan = action()
    except ImportFailed as failed:
        assert failed.problem.file == filename and failed.problem.line >= 1
        return None
    for problem in plan.problems:
        assert problem.file == filename and problem.line >= 1, problem
    return plan


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=vcard_file())
def test_any_vcard_shaped_like_a_real_export_imports_or_names_its_problems(data, workspace):
    assert_named(lambda: plan_import(data, "contacts.vcf", workspace), "contacts.vcf")


CSV_HEADERS = {
    "linkedin": (
        'Notes:\r\n"When exporting your connection data, you may notice..."\r\n\r\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    ),
    "google": "Name,Given Name,Family Name,E-mail 1 - Value,Phone 1 - Value,Organization 1 - Name\r\n",
    "outlook": "First Name,Middle Name,Last Name,E-mail Address,Mobile Phone,Company,Job Title,Notes\r\n",
    "generic": "Naam;E-mailadres;Telefoon;Bedrijf\r\n",
}


@st.composite
def csv_file(draw):
    kind = draw(st.sampled_from(sorted(CSV_HEADERS)))
    header = CSV_HEADERS[kind]
    width = header.splitlines()[-1].count("," if kind != "generic" else ";") + 1
    separator = ";" if kind == "generic" or draw(st.booleans()) else ","
    header = header.replace(",", separator) if separator == ";" and kind != "linkedin" else header
    cell = st.one_of(
        NAMES,
        WORDS,
        st.sampled_from(
            [
                "anna@example.org",
                "a@b ::: c@d.example",
                "15 Jun 2026",
                "32 Foo 2026",
                "+31 6 1234 5678",
                '"quoted, with comma"',
                '"unclosed',
                '=HYPERLINK("x")',
            ]
        ),
    )
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        cells = draw(st.lists(cell, min_size=0, max_size=width + 2))
        rows.append(separator.join(cells))
    text = header + "\r\n".join(rows)
    if draw(st.booleans()):
        text = text.replace("\r\n", "\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=csv_file(), fmt=st.sampled_from(["auto", "linkedin", "google", "outlook", "csv"]))
def test_any_csv_shaped_like_a_real_export_imports_or_names_its_problems(data, fmt, workspace):
    assert_named(lambda: plan_import(data, "contacts.csv", workspace, fmt), "contacts.csv")


def test_an_excel_unicode_text_export_utf16_with_tabs_and_a_bom(workspace):
    text = "Naam\tE-mailadres\tBedrijf\r\nJosé Álvarez\tjose@alvarez.example\tÁlvarez y Hijos\r\n"
    plan = plan_import(text.encode("utf-16"), "contacten.txt", workspace)
    [row] = plan.rows
    assert (row.record.name, row.email, row.record.organisation) == (
        "José Álvarez",
        "jose@alvarez.example",
        "Álvarez y Hijos",
    )


def test_a_linkedin_export_with_a_bom_and_a_display_name_in_the_address(workspace):
    text = (
        '\ufeffNotes:\r\n"When exporting your connection data..."\r\n\r\n'
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        "Anna,Smit,https://www.linkedin.com/in/annasmit,Anna Smit <anna@smit.example>,Smit BV,CEO,"
        "03 Feb 2025\r\n"
    )
    plan = plan_import(text.encode(), "Connections.csv", workspace)
    [row] = plan.rows
    assert row.email == "anna@smit.example" and plan.problems == []
