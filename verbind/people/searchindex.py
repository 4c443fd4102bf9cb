"""The people search index: every person's searchable text, served by trigrams.

One row per person (``people_search``) holding everything a word of a search may be found
in: name, e-mail, phone, job title, the organisation's name and every further address or
number. On SQLite it is an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34 or later),
on PostgreSQL a table with a ``pg_trgm`` GIN index. ``search.search_people`` uses it only to
narrow the people down to candidates, and then applies the rule itself (the ``icontains``
filters) to those, so what is found is exactly what it was without the index.

The database keeps the rows true itself, with triggers on people, their further addresses
and organisations: every way of writing (a form, ``bulk_create`` and ``bulk_update`` in
imports, ``QuerySet.update`` in merges, deletes) goes through them.

Why the triggers are put in place after ``migrate`` rather than by a migration: SQLite
migrations rebuild a table to alter it (make a new one, copy, drop, rename), and the
rename refuses while a trigger elsewhere names the dropped table. So the triggers are
dropped before migrations of this app run and put back (with the rows rebuilt) after
(``ensure``, on ``post_migrate``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sqlite3

from django.db import DatabaseError, transaction

log = logging.getLogger(__name__)

TABLE = "people_search"

# The text of one person, as the SQL of each database writes it. ``p`` is the person.
_SQLITE_TEXT = """
    p.name || char(10) || p.email || char(10) || p.phone || char(10) || p.job_title
    || char(10) || COALESCE((SELECT o.name FROM people_organisation o
                             WHERE o.id = p.organisation_id), '')
    || char(10) || COALESCE((SELECT group_concat(c.value, char(10)) FROM people_contactpoint c
                             WHERE c.person_id = p.id), '')
"""


# SQLite: the triggers only note who changed (a row in people_search_dirty, a few
# microseconds); their index rows are rewritten later in batches (``refresh``: the worker's
# step, a bench after building its data). Rewriting them in the triggers made a LinkedIn
# import of 30,000 rows half as fast again (each update of a person read, re-tokenised and
# rewrote their row). Until then the changed people are candidates of every search, so
# what is found never waits for the worker.
DIRTY = "people_search_dirty"


def _note(*ids: str) -> str:
    return "".join(f"INSERT OR IGNORE INTO {DIRTY} (person_id) VALUES ({i});" for i in ids)


_OF_ORGANISATION = (
    f"INSERT OR IGNORE INTO {DIRTY} (person_id)"
    " SELECT id FROM people_person WHERE organisation_id = new.id;"
)
SQLITE_TABLE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(text, tokenize='trigram')",
    f"CREATE TABLE IF NOT EXISTS {DIRTY} (person_id INTEGER PRIMARY KEY)",
]
SQLITE_TRIGGERS = {
    "people_search_person_insert": f"""
        AFTER INSERT ON people_person BEGIN {_note("new.id")} END""",
    "people_search_person_update": f"""
        AFTER UPDATE OF id, name, email, phone, job_title, organisation_id ON people_person
        WHEN old.id IS NOT new.id OR old.name IS NOT new.name OR old.email IS NOT new.email
          OR old.phone IS NOT new.phone OR old.job_title IS NOT new.job_title
          OR old.organisation_id IS NOT new.organisation_id
        BEGIN {_note("old.id", "new.id")} END""",
    "people_search_person_delete": f"""
        AFTER DELETE ON people_person BEGIN {_note("old.id")} END""",
    "people_search_point_insert": f"""
        AFTER INSERT ON people_contactpoint BEGIN {_note("new.person_id")} END""",
    "people_search_point_update": f"""
        AFTER UPDATE OF person_id, value ON people_contactpoint
        WHEN old.person_id IS NOT new.person_id OR old.value IS NOT new.value
        BEGIN {_note("old.person_id", "new.person_id")} END""",
    "people_search_point_delete": f"""
        AFTER DELETE ON people_contactpoint BEGIN {_note("old.person_id")} END""",
    "people_search_organisation_update": f"""
        AFTER UPDATE OF id, name ON people_organisation
        WHEN old.id IS NOT new.id OR old.name IS NOT new.name BEGIN {_OF_ORGANISATION} END""",
    # A backup restored (loaddata) may bring a person before their organisation.
    "people_search_organisation_insert": f"""
        AFTER INSERT ON people_organisation BEGIN {_OF_ORGANISATION} END""",
}
SQLITE_FILL = [
    f"DELETE FROM {TABLE}",
    f"DELETE FROM {DIRTY}",
    f"INSERT INTO {TABLE} (rowid, text) SELECT p.id, {_SQLITE_TEXT} FROM people_person p",
]
BATCH = 2000


def refresh(connection, batch: int | None = None) -> int:
    """SQLite: rewrite the index rows of up to *batch* people noted as changed; how many.

    (PostgreSQL's triggers keep the rows true at once: there is nothing to do.)"""
    if connection.vendor != "sqlite" or not usable(connection) or not _table_exists(connection):
        return 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_id FROM {DIRTY} ORDER BY person_id LIMIT %s", [batch or BATCH]
        )
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", ids)
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, text) SELECT p.id, {_SQLITE_TEXT}"
                f" FROM people_person p WHERE p.id IN ({marks})",
                ids,
            )
            cursor.execute(f"DELETE FROM {DIRTY} WHERE person_id IN ({marks})", ids)
    return len(ids)


def refresh_all(connection) -> int:
    done = 0
    while found := refresh(connection):
        done += found
    return done


# PostgreSQL: the text in capitals, as Django's icontains compares (UPPER(…) LIKE UPPER(…)),
# so that LIKE on it finds at least everyone icontains finds.
_PG_TEXT = """
    UPPER(concat_ws(E'\\n', p.name, p.email, p.phone, p.job_title, o.name,
        (SELECT string_agg(c.value, E'\\n') FROM people_contactpoint c WHERE c.person_id = p.id)))
"""
PG_TABLE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (person_id bigint PRIMARY KEY, text text NOT NULL)",
]
PG_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
# The index's pending list: with fastupdate, new rows are appended to a list that is merged
# into the index in bulk once it holds gin_pending_list_limit (kB), instead of each row's
# trigrams being put in place one by one: refreshing 20,000 people took 2.1 s with
# fastupdate off, 0.56-0.67 s with a list of 256 kB (0.39 s with the default 4 MB). Every
# search reads the list through, so it is kept small: a full 256 kB list (16 pages) made
# 'Person 1234' take 5.6 ms instead of 5.5, where 4 MB made it 13 ms instead of 5 after
# 20,000 people were added (the reason fastupdate was off before). Vacuum empties the list.
PG_INDEX_OPTIONS = {"fastupdate": "on", "gin_pending_list_limit": "256"}
_WITH = ", ".join(f"{name} = {value}" for name, value in PG_INDEX_OPTIONS.items())
PG_INDEX = (
    f"CREATE INDEX IF NOT EXISTS people_search_trigrams ON {TABLE}"
    f" USING gin (text gin_trgm_ops) WITH ({_WITH})"
)
# Statement triggers with transition tables: a bulk_create or an update of many people
# refreshes their rows in one statement, not one call per row (row triggers made inserting
# 50,000 people ten times slower). An update refreshes only the rows whose searched
# columns changed.
_SEARCHED = "name, email, phone, job_title, organisation_id"
PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION people_search_refresh(ids bigint[]) RETURNS void
        LANGUAGE sql AS $$
          DELETE FROM {TABLE} WHERE person_id = ANY(ids);
          INSERT INTO {TABLE} (person_id, text)
            SELECT p.id, {_PG_TEXT} FROM people_person p
            LEFT JOIN people_organisation o ON o.id = p.organisation_id
            WHERE p.id = ANY(ids);
        $$""",
    f"""CREATE OR REPLACE FUNCTION people_search_person() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {TABLE};
          ELSIF TG_OP = 'DELETE' THEN
            DELETE FROM {TABLE} WHERE person_id IN (SELECT id FROM old_rows);
          ELSIF TG_OP = 'UPDATE' THEN
            PERFORM people_search_refresh(ARRAY(
              SELECT n.id FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
              WHERE (n.{_SEARCHED.replace(", ", ", n.")})
                IS DISTINCT FROM (o.{_SEARCHED.replace(", ", ", o.")})));
          ELSE
            PERFORM people_search_refresh(ARRAY(SELECT id FROM new_rows));
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE OR REPLACE FUNCTION people_search_point() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            PERFORM people_search_refresh(ARRAY(SELECT DISTINCT person_id FROM new_rows));
          ELSIF TG_OP = 'DELETE' THEN
            PERFORM people_search_refresh(ARRAY(SELECT DISTINCT person_id FROM old_rows));
          ELSE
            PERFORM people_search_refresh(ARRAY(
              SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE OR REPLACE FUNCTION people_search_organisation() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM people_search_refresh(ARRAY(
            SELECT id FROM people_person WHERE organisation_id IN (SELECT id FROM new_rows)));
          RETURN NULL;
        END $$""",
]
_EACH = "FOR EACH STATEMENT EXECUTE FUNCTION"
PG_TRIGGERS = {
    "people_search_person_insert": f"""AFTER INSERT ON people_person
        REFERENCING NEW TABLE AS new_rows {_EACH} people_search_person()""",
    "people_search_person_update": f"""AFTER UPDATE ON people_person
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {_EACH} people_search_person()""",
    "people_search_person_delete": f"""AFTER DELETE ON people_person
        REFERENCING OLD TABLE AS old_rows {_EACH} people_search_person()""",
    "people_search_person_truncate": f"AFTER TRUNCATE ON people_person {_EACH} people_search_person()",
    "people_search_point_insert": f"""AFTER INSERT ON people_contactpoint
        REFERENCING NEW TABLE AS new_rows {_EACH} people_search_point()""",
    "people_search_point_update": f"""AFTER UPDATE ON people_contactpoint
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {_EACH} people_search_point()""",
    "people_search_point_delete": f"""AFTER DELETE ON people_contactpoint
        REFERENCING OLD TABLE AS old_rows {_EACH} people_search_point()""",
    # INSERT too: a backup restored (loaddata) may bring a person before their organisation.
    "people_search_organisation_insert": f"""AFTER INSERT ON people_organisation
        REFERENCING NEW TABLE AS new_rows {_EACH} people_search_organisation()""",
    "people_search_organisation_update": f"""AFTER UPDATE ON people_organisation
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {_EACH}
        people_search_organisation()""",
}
PG_FILL = [
    f"TRUNCATE {TABLE}",
    f"""INSERT INTO {TABLE} (person_id, text) SELECT p.id, {_PG_TEXT} FROM people_person p
        LEFT JOIN people_organisation o ON o.id = p.organisation_id""",
]


@functools.cache
def _sqlite_has_trigrams() -> bool:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.Error:
        return False
    finally:
        probe.close()


def usable(connection) -> bool:
    """Whether this database has the index (otherwise search scans, as it did before)."""
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and _sqlite_has_trigrams()


def _triggers(connection) -> dict[str, str]:
    """The triggers by name; each name ends in a digest of what it does (with the functions
    it calls), so that ``ensure`` puts a changed definition in place by itself."""
    if connection.vendor == "postgresql":
        triggers, shared = PG_TRIGGERS, "".join(PG_FUNCTIONS)
    else:
        triggers, shared = SQLITE_TRIGGERS, ""
    return {
        f"{name}_{hashlib.sha256((shared + body).encode()).hexdigest()[:8]}": body
        for name, body in triggers.items()
    }


def _present(connection) -> dict[str, str]:
    """The index's triggers in place: their names and tables."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                " WHERE tgname LIKE 'people_search%%' AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'people_search%'"
            )
        return dict(cursor.fetchall())


def create_table(connection) -> None:
    """The table (and on PostgreSQL the trigram index); the migration calls this."""
    if not usable(connection):
        log.warning(
            "People search runs without its index: SQLite %s has no FTS5 trigram tokenizer "
            "(3.34 or later). Search works, by scanning.",
            sqlite3.sqlite_version,
        )
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_TABLE:
                cursor.execute(sql)
            return
        for sql in PG_TABLE:
            cursor.execute(sql)
    _trigram_index(connection)


def _trigram_index(connection) -> None:
    """PostgreSQL: the GIN index, once pg_trgm can be had (each migrate tries again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = to_regclass('people_search_trigrams')"
        )
        found = cursor.fetchone()
        if found:
            if sorted(found[0] or []) != sorted(f"{k}={v}" for k, v in PG_INDEX_OPTIONS.items()):
                # An index made with other options (fastupdate off, before): takes a moment's
                # exclusive lock on the index, once.
                cursor.execute(f"ALTER INDEX people_search_trigrams SET ({_WITH})")
            return
        try:
            with transaction.atomic(using=connection.alias):  # a savepoint: may fail
                cursor.execute(PG_EXTENSION)
        except DatabaseError as exc:
            log.warning(
                "People search runs without its trigram index: the pg_trgm extension could "
                "not be created (%s). Ask a superuser to run CREATE EXTENSION pg_trgm in this "
                "database and migrate again. Search works, by scanning.",
                exc,
            )
            return
        cursor.execute(PG_INDEX)


def drop_triggers(connection) -> None:
    if not usable(connection):
        return
    with connection.cursor() as cursor:
        for name, table in _present(connection).items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure(connection) -> bool:
    """Put the triggers in place and rebuild the rows if any is missing or changed.

    Returns whether it rebuilt. Cheap when all is in place (a query or two)."""
    if not usable(connection) or not _table_exists(connection):
        return False
    if connection.vendor == "postgresql":
        _trigram_index(connection)
    triggers = _triggers(connection)
    if set(triggers) == set(_present(connection)):
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        drop_triggers(connection)
        if connection.vendor == "postgresql":
            for sql in PG_FUNCTIONS:
                cursor.execute(sql)
        else:
            for sql in SQLITE_TABLE:  # the queue of changes came after the first version
                cursor.execute(sql)
        for name, body in triggers.items():
            cursor.execute(f"CREATE TRIGGER {name} {body}")
        if connection.vendor == "postgresql":
            # Building the index over the rows is quicker than adding the rows to it.
            cursor.execute("DROP INDEX IF EXISTS people_search_trigrams")
        for sql in PG_FILL if connection.vendor == "postgresql" else SQLITE_FILL:
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        _trigram_index(connection)
    return True


def _table_exists(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
            return cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
        return cursor.fetchone() is not None


def drop_table(connection) -> None:
    """Undo ``create_table`` (the migration backwards)."""
    if not usable(connection):
        return
    drop_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {DIRTY}")


# More candidates than this and the words are common ("Person" in everyone): scanning the
# people with the rule is then cheaper than fetching them one by one.
MOST_CANDIDATES = 2000


def candidate_ids(connection, workspace_id: int, words: list[str]) -> list[int] | None:
    """The ids of the workspace's people who may have every word (a superset), or None.

    None when the index cannot help: no word of three characters or more (a trigram needs
    three; shorter words are left to the rule itself), or too many candidates."""
    words = [word for word in words if len(word) >= 3]
    if not words or not usable(connection):
        return None
    if connection.vendor == "sqlite":
        # CROSS JOIN: SQLite then reads the index first and the people by id, not the other
        # way round (a MATCH per person of the workspace).
        match = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
        # The people changed since the last refresh are candidates whatever their row says.
        sql = (
            f"SELECT s.rowid FROM {TABLE} s CROSS JOIN people_person p ON p.id = s.rowid"
            f" WHERE {TABLE} MATCH %s AND p.workspace_id = %s"
            f" UNION SELECT d.person_id FROM {DIRTY} d CROSS JOIN people_person p"
            f" ON p.id = d.person_id WHERE p.workspace_id = %s LIMIT %s"
        )
        params = [match, workspace_id]
    else:
        escape = connection.ops.prep_for_like_query
        likes = " AND ".join(["s.text LIKE UPPER(%s)"] * len(words))
        sql = (
            f"SELECT s.person_id FROM {TABLE} s JOIN people_person p ON p.id = s.person_id"
            f" WHERE {likes} AND p.workspace_id = %s LIMIT %s"
        )
        params = [f"%{escape(word)}%" for word in words]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, workspace_id, MOST_CANDIDATES + 1])
        found = [row[0] for row in cursor.fetchall()]
    return found if len(found) <= MOST_CANDIDATES else None
