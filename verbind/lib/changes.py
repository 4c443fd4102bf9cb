"""Whether anything was written to the database since: a marker that moves with every write.

A page worked out from many queries (Today) may be kept while the database is as it was:
take ``marker()`` *before* working it out, keep the result under that marker, and use the
kept result only while ``marker()`` still gives the same value. A write committed while
the page was being worked out moves the marker, so that result is never used again.

- SQLite: ``PRAGMA data_version`` moves when another connection (or process) commits, and
  the driver's ``total_changes`` counts this connection's own writes. Both mean something
  only on the same connection, so the marker names the connection too.
- PostgreSQL: ``pg_current_wal_insert_lsn()``, the server's write-ahead log position,
  moves with every write of the whole server before anyone can see it (a commit is logged
  before it becomes visible). Writes in other databases move it too: that only costs a
  page worked out again.

Inside a transaction there is no marker (``None``): what it sees may still be rolled back.
"""

from __future__ import annotations

import itertools

from django.db import connections

_connections = itertools.count(1)


def marker(using: str = "default") -> str | None:
    """A value that differs whenever anything was written since it was last taken."""
    connection = connections[using]
    if connection.in_atomic_block:
        return None
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        # The same DatabaseWrapper opens a new driver connection after a close; its
        # data_version starts again, so a new connection gets a new number.
        if getattr(connection, "_changes_raw", None) is not raw:
            connection._changes_raw = raw
            connection._changes_number = next(_connections)
        (version,) = raw.execute("PRAGMA data_version").fetchone()
        return f"sqlite:{connection._changes_number}:{version}:{raw.total_changes}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return f"postgresql:{cursor.fetchone()[0]}"
    return None
