"""People search finds exactly who the rule says: every word somewhere in the person."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from verbind.people import searchindex
from verbind.people.merging import merge, undo
from verbind.people.models import Organisation, Person
from verbind.people.search import search_people
from verbind.transfer.apply import apply
from verbind.transfer.backup import backup, restore
from verbind.transfer.importing import plan_import

CORPUS = Path(__file__).parent / "corpus"


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


# The index (people.searchindex) only narrows the people down; the tests below check that
# it stays true on every path that writes people, their addresses or their organisation.


def index_rows() -> dict[int, str]:
    key = "person_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, text FROM {searchindex.TABLE}")
        return dict(cursor.fetchall())


def lines_of(person: Person) -> list[str]:
    """What the index should hold for *person*, line by line, in the database's case."""
    fields = [person.name, person.email, person.phone, person.job_title]
    if person.organisation:
        fields.append(person.organisation.name)
    fields += [point.value for point in person.contact_points.all()]
    fold = str.upper if connection.vendor == "postgresql" else str
    return sorted(fold(field) for field in fields if field)


def assert_index_is_true():
    searchindex.refresh_all(connection)  # the worker's step, on SQLite
    rows = index_rows()
    people = Person.objects.select_related("organisation").prefetch_related("contact_points")
    assert sorted(rows) == sorted(p.pk for p in people)  # nobody missing, nobody left over
    for person in people:
        assert sorted(line for line in rows[person.pk].split("\n") if line) == lines_of(person)


def assert_found_by_the_rule(workspace, query):
    expected = sorted(
        (p.name, p.pk)
        for p in Person.objects.in_workspace(workspace)
        if all(word.lower() in words_of(p) for word in query.split())
    )
    assert [(p.name, p.pk) for p in search_people(workspace, query)] == expected
    return [name for name, _pk in expected]


def test_the_index_serves_the_search_where_the_database_has_it(workspace, crowd):
    assert searchindex.usable(connection)
    with CaptureQueriesContext(connection) as queries:
        list(search_people(workspace, "bakker linda"))
    assert any(searchindex.TABLE in q["sql"] for q in queries)
    assert_index_is_true()


@pytest.mark.parametrize("query", ["li", "de", "co wit", "s", "li bakker", "a e"])
def test_words_shorter_than_three_letters_are_found_by_the_rule_itself(workspace, crowd, query):
    with CaptureQueriesContext(connection) as queries:
        assert_found_by_the_rule(workspace, query)
    used = any(searchindex.TABLE in q["sql"] for q in queries)
    assert used == any(len(word) >= 3 for word in query.split())


def test_the_index_follows_people_created_renamed_and_deleted(workspace, crowd):
    linda = crowd[0]
    linda.name = "Linda Zwart"
    linda.save()
    assert assert_found_by_the_rule(workspace, "zwart") == ["Linda Zwart"]
    assert assert_found_by_the_rule(workspace, "linda bakker") == []
    Person.objects.filter(pk=linda.pk).update(job_title="Schrijver", email="lz@zwart.example")
    assert assert_found_by_the_rule(workspace, "schrijver zwart.example") == ["Linda Zwart"]
    Person.objects.create(workspace=workspace, name="Karel Zwartjes")
    assert assert_found_by_the_rule(workspace, "zwart") == ["Karel Zwartjes", "Linda Zwart"]
    linda.delete()
    assert assert_found_by_the_rule(workspace, "zwart") == ["Karel Zwartjes"]
    assert_index_is_true()


def test_the_index_follows_bulk_creates_and_bulk_updates(workspace, crowd):
    made = Person.objects.bulk_create(
        [
            Person(workspace=workspace, name=f"Import {n} Jansen", phone=f"+3161000000{n}")
            for n in range(5)
        ]
    )
    assert len(assert_found_by_the_rule(workspace, "jansen")) == 5
    for person in made:
        person.job_title = "Notaris"
        person.name = person.name.replace("Jansen", "Pietersen")
    Person.objects.bulk_update(made, ["job_title", "name"])
    assert assert_found_by_the_rule(workspace, "jansen") == []
    assert len(assert_found_by_the_rule(workspace, "notaris pietersen")) == 5
    Person.objects.filter(pk__in=[p.pk for p in made[:2]]).delete()
    assert len(assert_found_by_the_rule(workspace, "notaris")) == 3
    assert_index_is_true()


def test_the_index_follows_organisations_renamed_moved_and_deleted(workspace, crowd):
    bakker = Organisation.objects.get(workspace=workspace, name="Bakker & Co")
    bakker.name = "Molenaar BV"
    bakker.save()
    assert assert_found_by_the_rule(workspace, "molenaar") == ["Sven de Wit"]
    Organisation.objects.filter(pk=bakker.pk).update(name="Smederij Hamer")
    assert assert_found_by_the_rule(workspace, "smederij sven") == ["Sven de Wit"]
    Person.objects.filter(name="Anna Smit").update(organisation=bakker)
    assert assert_found_by_the_rule(workspace, "hamer") == ["Anna Smit", "Sven de Wit"]
    bakker.delete()  # the people stay, without an organisation
    assert assert_found_by_the_rule(workspace, "hamer") == []
    assert_index_is_true()


def test_the_index_follows_further_addresses_added_changed_and_removed(workspace, crowd):
    ruud = crowd[3]
    ruud.add_contact_point("email", "ruud@bakkum.example")  # the primary address
    ruud.add_contact_point("email", "ruud@kapper.example")
    assert assert_found_by_the_rule(workspace, "kapper ruud") == ["Ruud Bakkum"]
    point = ruud.contact_points.get()
    point.value = "ruud@visser.example"
    point.save()
    assert assert_found_by_the_rule(workspace, "kapper") == []
    assert assert_found_by_the_rule(workspace, "visser") == ["Ruud Bakkum"]
    point.person = crowd[2]
    point.save()
    assert assert_found_by_the_rule(workspace, "visser") == ["Anna Smit"]
    point.delete()
    assert assert_found_by_the_rule(workspace, "visser") == []
    assert_index_is_true()


def test_the_index_follows_a_merge_and_its_undoing(workspace, crowd):
    els, ruud = crowd[4], crowd[3]
    record = merge(els, ruud)
    assert assert_found_by_the_rule(workspace, "vos.example 0612345678".replace("06", "+316")) == [
        "Els Vos"
    ]
    assert assert_found_by_the_rule(workspace, "bakkum") == []
    assert_index_is_true()
    undo(record)
    assert assert_found_by_the_rule(workspace, "bakkum") == ["Ruud Bakkum"]
    assert_index_is_true()


def test_the_index_follows_an_import(workspace, crowd):
    name = "linkedin_connections.csv"
    apply(plan_import((CORPUS / name).read_bytes(), name, workspace), workspace)
    assert assert_found_by_the_rule(workspace, "verbeek bouwadvies") == ["Hans Verbeek"]
    assert_index_is_true()


def test_a_missing_trigger_is_put_back_with_the_rows_after_migrate(workspace, crowd):
    searchindex.drop_triggers(connection)
    Person.objects.create(workspace=workspace, name="Gemist Tijdens Migratie")
    assert searchindex.ensure(connection)
    assert assert_found_by_the_rule(workspace, "migratie") == ["Gemist Tijdens Migratie"]
    assert_index_is_true()
    assert not searchindex.ensure(connection)  # all in place: nothing to do


def test_the_index_follows_a_backup_restored_over_the_data(workspace, crowd):
    crowd[4].add_contact_point("email", "els@molen.example")
    document = backup()
    restore(document, "backup.json", replace=True)  # loaddata: rows in any order
    assert assert_found_by_the_rule(workspace, "molen.example els") == ["Els Vos"]
    assert assert_found_by_the_rule(workspace, "gemeente anna") == ["Anna Smit"]
    assert_index_is_true()


@pytest.mark.postgres
def test_without_pg_trgm_the_migration_warns_and_search_still_finds_everyone(
    workspace, crowd, monkeypatch, caplog
):
    if connection.vendor != "postgresql":
        pytest.skip("runs only against PostgreSQL: set DATABASE_URL=postgres://…")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX people_search_trigrams")  # rolled back with the test
    # An extension the database user may not create: the same refusal, the same fallback.
    monkeypatch.setattr(searchindex, "PG_EXTENSION", "CREATE EXTENSION verbind_not_there")
    searchindex.create_table(connection)
    assert "pg_trgm" in caplog.text and "Search works, by scanning" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('people_search_trigrams')")
        assert cursor.fetchone()[0] is None
    for query in ["bakker", "BAKKER linda", "wethouder gemeente", "co", "zzz"]:
        assert_found_by_the_rule(workspace, query)


@pytest.mark.postgres
def test_an_index_made_with_fastupdate_off_gets_its_pending_list_after_migrate(workspace, crowd):
    if connection.vendor != "postgresql":
        pytest.skip("runs only against PostgreSQL: set DATABASE_URL=postgres://…")

    def options() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'people_search_trigrams'")
            return sorted(cursor.fetchone()[0] or [])

    with connection.cursor() as cursor:  # as the index was made before (rolled back with the test)
        cursor.execute("ALTER INDEX people_search_trigrams RESET (gin_pending_list_limit)")
        cursor.execute("ALTER INDEX people_search_trigrams SET (fastupdate = off)")
    searchindex.ensure(connection)
    assert options() == ["fastupdate=on", "gin_pending_list_limit=256"]
    assert_index_is_true()


def test_a_changed_trigger_is_replaced_after_migrate(workspace, crowd, monkeypatch):
    assert not searchindex.ensure(connection)
    triggers = (
        searchindex.PG_TRIGGERS
        if connection.vendor == "postgresql"
        else searchindex.SQLITE_TRIGGERS
    )
    name = next(iter(triggers))
    monkeypatch.setitem(triggers, name, triggers[name] + " ")  # what a new version would do
    assert searchindex.ensure(connection)
    assert set(searchindex._present(connection)) == set(searchindex._triggers(connection))
    assert_index_is_true()


def test_people_changed_since_the_last_refresh_are_found_before_the_worker_runs(workspace, crowd):
    searchindex.refresh_all(connection)
    linda = crowd[0]
    linda.name = "Linda Hoogeveen"
    linda.save()
    Organisation.objects.filter(name="Gemeente Utrecht").update(name="Provincie Drenthe")
    crowd[3].add_contact_point("email", "ruud@laat.example")  # the primary one: on the person
    for query in ["hoogeveen", "linda bakker", "drenthe anna", "utrecht", "laat.example ruud"]:
        assert_found_by_the_rule(workspace, query)
    if connection.vendor == "sqlite":  # noted, for the worker
        assert searchindex.refresh(connection) == 3
        assert searchindex.refresh(connection) == 0
    assert_index_is_true()
    assert assert_found_by_the_rule(workspace, "hoogeveen") == ["Linda Hoogeveen"]


def test_the_worker_step_refreshes_the_index_in_batches(workspace, crowd, monkeypatch):
    from django.utils import timezone

    from verbind.people.steps import SearchIndex

    searchindex.refresh_all(connection)
    Person.objects.bulk_create(
        [Person(workspace=workspace, name=f"Stap {n} Visser") for n in range(5)]
    )
    monkeypatch.setattr(searchindex, "BATCH", 2)
    step = SearchIndex()
    ran = 0
    while step(timezone.now()):
        ran += 1
    assert ran == (3 if connection.vendor == "sqlite" else 0)
    assert_index_is_true()
    assert len(assert_found_by_the_rule(workspace, "visser stap")) == 5
