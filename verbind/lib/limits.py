"""The limits every reader of outside input keeps: items, bytes (after decompression), time.

One place for the web, the API, the CLI and the worker. The numbers come from
the environment (``docs/configuration.md``); the readers ask here rather than
keep their own constants, so an operator changes a limit once.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _

from verbind.lib.problems import ImportFailed, Problem


def upload_bytes() -> int:
    """The largest file read from the web, the API or the CLI."""
    return settings.MAX_UPLOAD_MB * 1_000_000


def max_contacts() -> int:
    """The most contacts (cards or rows) one file may hold."""
    return settings.MAX_CONTACTS


def max_busy_times() -> int:
    """The most busy times one calendar may make in the horizon."""
    return settings.MAX_BUSY_TIMES


def fetch_bytes() -> int:
    """The largest reply of a feed or CalDAV server, counted after decompression."""
    return settings.FETCH_MAX_MB * 1_000_000


def fetch_seconds() -> int:
    """How long reading one feed or CalDAV calendar may take in all."""
    return settings.FETCH_SECONDS


def read_seconds() -> int:
    """How long parsing one file may take."""
    return settings.READ_SECONDS


class OverLimit(ImportFailed):
    """A file refused whole because it goes past a limit (time, items, bytes)."""

    code = "over_limit"


class Deadline:
    """A reader's time budget, checked between items (a card, a row, an event).

    Python cannot interrupt a parser from outside, so each reader checks between
    the items it reads; an item itself is bounded by the byte and item limits.
    """

    def __init__(self, filename: str, seconds: float | None = None):
        self.filename = filename
        self.seconds = read_seconds() if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    def check(self, line: int = 1) -> None:
        if time.monotonic() > self.ends:
            raise OverLimit(
                Problem(
                    self.filename,
                    line,
                    "",
                    _("reading it took longer than %(seconds)d seconds; nothing was read")
                    % {"seconds": self.seconds},
                )
            )


def too_many(filename: str, found: int, limit: int, what: str) -> OverLimit:
    """The refusal for a file with more items than the limit, before they are read."""
    return OverLimit(
        Problem(
            filename,
            1,
            "",
            _("it holds %(found)s %(what)s; Verbind reads at most %(limit)s from one file")
            % {"found": f"{found:,}", "what": what, "limit": f"{limit:,}"},
        )
    )
