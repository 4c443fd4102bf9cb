"""The fault suite: the worker and the outbox under the faults production meets.

Every test here carries the ``faults`` marker (``pytest -m faults`` runs just
these); they run in the normal suite too. Those that need PostgreSQL skip on
SQLite with the reason; CI (.ci/run) runs the whole suite on PostgreSQL as well.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

HERE = Path(__file__).parent


FIGURES: list[str] = []


@pytest.fixture
def figure():
    """Write down what a fault test measured; the run prints it at the end."""
    return FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault suite figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def postgres(transactional_db):
    """Real PostgreSQL, with committed data other connections and processes can see."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL fault: set DATABASE_URL=postgres://… (.ci/run does)")


def backend_pid() -> int:
    """The PostgreSQL backend serving this thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def admin():
    """A connection of its own, outside Django, from which to terminate others."""
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname=s["NAME"],
        autocommit=True,
    )


def terminate(pids: list[int]) -> int:
    """pg_terminate_backend each, waiting until it is gone; returns how many ended."""
    with admin() as conn:
        return sum(
            bool(conn.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()[0])
            for pid in pids
        )


def others(keep: list[int]) -> list[int]:
    """The client backends on the test database but those in *keep* (and the asker's own)."""
    with admin() as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND NOT (pid = ANY(%s))",
            [keep],
        ).fetchall()
    return [row[0] for row in rows]


def elsewhere(work, *args):
    """Run *work* on a connection of its own (a web request, say), not this thread's."""
    from django import db

    result: list = []

    def run():
        try:
            result.append(work(*args))
        finally:
            db.connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0] if result else None


def queue(person, count: int, first: int = 0, at=None) -> list[str]:
    """*count* e-mails queued for the worker, each a second younger than the one before
    (the youngest queued at *at*, by default now); returns their Message-IDs, oldest first."""
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from verbind.messaging.models import OutboxMessage, Purpose, State

    at = (at or timezone.now()) - timedelta(seconds=first + count)
    messages = [
        OutboxMessage(
            workspace=person.workspace,
            purpose=Purpose.FOLLOW_UP,
            state=State.QUEUED,
            person=person,
            language="en",
            to_address=f"relation{n}@example.org",
            subject=f"Hello {n}",
            body="Good to see you.",
            idempotency_key=f"fault:{n}:{uuid.uuid4().hex[:6]}",
            message_id=f"<{uuid.uuid4().hex}@verbind.test>",
            created_at=at + timedelta(seconds=n),
            next_attempt_at=at + timedelta(seconds=n),
        )
        for n in range(first, first + count)
    ]
    OutboxMessage.objects.bulk_create(messages, batch_size=1000)
    return [m.message_id for m in messages]
