"""Database connections a long-running process must look after itself.

Django checks its connections around each web request; a worker has no
requests, so a connection the database dropped (a restart, a failover, an idle
timeout, ``pg_terminate_backend``) would stay broken for good and every later
query would fail with "the connection is closed". ``heal`` notices such a
connection and lets it go, so the next query opens a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import Error, InterfaceError, OperationalError, connections

log = logging.getLogger("verbind.worker")

T = TypeVar("T")


def heal(check: bool = False) -> bool:
    """Close this thread's connections that broke; True when one was closed.

    A connection is looked at when a query on it failed, or (with *check*) always,
    with one cheap round trip: after a failure, check, since a transaction's
    rollback on a dead connection may pass without a word and clear the error.
    One inside a transaction is left alone: its own block rolls back and closes it.
    """
    healed = False
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        if conn.connection is None:
            if conn.errors_occurred:  # a transaction's block closed it after an error
                conn.errors_occurred = False  # the next query opens a new one
                healed = True
            continue
        if not (check or conn.errors_occurred):
            continue
        if conn.is_usable():
            conn.errors_occurred = False
            continue
        log.warning("the connection to database %r was lost; opening a new one", conn.alias)
        try:
            conn.close()
        except Error:  # closing a dead connection may fail too; it is gone either way
            conn.connection = None
        healed = True
    return healed


def lost(exc: BaseException) -> bool:
    """Whether *exc* is the database going away (or a failure worth one more try), not a bug."""
    return isinstance(exc, (OperationalError, InterfaceError))


def retried(write: Callable[..., T], *args, **kwargs) -> T:
    """Run *write*; when the database connection broke under it, reconnect and run it once more.

    For writes that are safe to repeat (a compare-and-set, an upsert).
    """
    try:
        return write(*args, **kwargs)
    except Error as exc:
        if not lost(exc):
            raise
        heal(check=True)
        return write(*args, **kwargs)
