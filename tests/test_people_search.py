"""People search finds exactly who the rule says: every word somewhere in the person."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verbind.people.models import Organisation, Person
from verbind.people.search import search_people


def words_of(person: Person) -> str:
    """Everything a word of the query may be found in, as the rule states it."""
    fields = [person.name, person.email, person.phone, person.job_title]
    if person.organisation:
        fields.append(person.organisation.name)
    fields += [point.value for point in person.contact_points.all()]
    return " | ".join(fields).lower()


@pytest.fixture
def crowd(workspace, other_workspace):
    bakker = Organisation.objects.create(workspace=workspace, name="Bakker & Co")
    stad = Organisation.objects.create(workspace=workspace, name="Gemeente Utrecht")
    # Another workspace's organisation of the same name brings nobody of ours along.
    Organisation.objects.create(workspace=other_workspace, name="Bakker & Co")
    made = [
        Person.objects.create(workspace=workspace, name="Linda Bakker", email="linda@l.example"),
        Person.objects.create(workspace=workspace, name="Sven de Wit", organisation=bakker),
        Person.objects.create(
            workspace=workspace, name="Anna Smit", organisation=stad, job_title="Wethouder"
        ),
        Person.objects.create(workspace=workspace, name="Ruud Bakkum", phone="+31612345678"),
        Person.objects.create(workspace=workspace, name="Els Vos", email="els@vos.example"),
        Person.objects.create(workspace=other_workspace, name="Linda Bakker (theirs)"),
    ]
    made[4].add_contact_point("email", "els@bakker.example")
    made[4].add_contact_point("phone", "06 11122233")
    return made


@pytest.mark.parametrize(
    "query",
    [
        "bakker",  # a name, an organisation, a further address
        "BAKKER linda",  # every word, in any case and order
        "bakker utrecht",  # two words that no one person has
        "co",
        "wethouder gemeente",
        "vos.example",
        "bakk",
        "",
        "zzz",
    ],
)
def test_search_finds_everyone_with_every_word_and_nobody_else(workspace, crowd, query):
    expected = sorted(
        (p.name, p.pk)
        for p in Person.objects.in_workspace(workspace)
        if all(word.lower() in words_of(p) for word in query.split())
    )
    found = [(p.name, p.pk) for p in search_people(workspace, query)]
    assert found == expected
    assert search_people(workspace, query).count() == len(expected)


def test_a_person_without_an_organisation_is_found_and_shown(workspace, crowd):
    (linda,) = search_people(workspace, "linda")
    assert linda.organisation is None


def test_a_number_is_found_by_a_further_number_and_by_its_start(workspace, crowd):
    assert [p.name for p in search_people(workspace, "06 111 222 33")] == ["Els Vos"]
    assert [p.name for p in search_people(workspace, "06 1234")] == ["Ruud Bakkum"]


def people_scans(queries) -> int:
    return sum('FROM "people_person"' in q["sql"] for q in queries)


def test_the_people_page_reads_a_small_result_once_and_pages_a_large_one(web, workspace):
    Person.objects.bulk_create(
        [Person(workspace=workspace, name=f"Lid {n:03d}") for n in range(60)]
        + [Person(workspace=workspace, name="Zora Lid-Anders")]
    )
    with CaptureQueriesContext(connection) as small:
        page = web.get("/people/", {"q": "zora"}).content.decode()
    assert "Zora Lid-Anders" in page and "Page 1 of" not in page
    assert people_scans(small) == 1  # the count comes from the page itself

    with CaptureQueriesContext(connection) as large:
        page = web.get("/people/", {"q": "lid"}).content.decode()
    assert "Page 1 of 2" in page and "Lid 049" in page and "Lid 050" not in page
    assert people_scans(large) == 2  # further pages: counted
    page = web.get("/people/", {"q": "lid", "page": "2"}).content.decode()
    assert "Page 2 of 2" in page and "Lid 050" in page and "Zora Lid-Anders" in page
    assert "Page 2 of 2" in web.get("/people/", {"q": "lid", "page": "9"}).content.decode()


@pytest.mark.parametrize(
    "limit, offset", [(100, 0), (2, 0), (2, 2), (2, 4), (5, 0), (3, 3), (2, 99), (1, 5), (1, 4)]
)
def test_the_api_counts_exactly_whatever_page_it_is_asked_for(api, workspace, crowd, limit, offset):
    everyone = [p.pk for p in search_people(workspace, "")]
    answer = api.get(f"/api/v1/people?limit={limit}&offset={offset}").json()
    assert answer["count"] == len(everyone) == 5
    assert [p["id"] for p in answer["items"]] == everyone[offset : offset + limit]
