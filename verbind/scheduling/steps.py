"""Scheduling's worker steps: read the calendars that are due, and warn hosts who will be away."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django import db

from verbind.lib.steps import RowStep, Step
from verbind.messaging.channels import email
from verbind.scheduling import calendars
from verbind.scheduling.absences import unwarned, warn_host

log = logging.getLogger(__name__)

CALENDAR_READERS = 4


def _read_calendar(calendar, now) -> None:
    try:
        calendars.sync_claimed(calendar, now)
    except Exception:
        log.exception("reading calendar %s failed", calendar.pk)
    finally:
        db.connection.close()  # this thread's own connection


class CalendarSync(Step):
    """Claim a calendar due to be read and read it in the background.

    Reading a feed or CalDAV server can take seconds; meanwhile the pass goes on
    sending mail. A pass on its own waits for its readers before it ends; a
    failing calendar keeps its error and is read less often, and the others go on.
    """

    name = "handle_one_sync"
    order = 50

    def __init__(self) -> None:
        self.readers: ThreadPoolExecutor | None = None

    def __call__(self, now) -> bool:
        calendar = calendars.claim_one(now)
        if calendar is None:
            return False
        if self.readers is None:
            self.readers = ThreadPoolExecutor(CALENDAR_READERS, thread_name_prefix="calendar")
        self.readers.submit(_read_calendar, calendar, now)
        return True

    def close(self, wait: bool = True) -> None:
        if wait and self.readers is not None:
            self.readers.shutdown(wait=True)
            self.readers = None


class AbsenceWarnings(RowStep):
    """Mail a host once about a meeting that falls while they are away."""

    name = "handle_one_absence_warning"
    order = 60

    def due(self, now):
        return unwarned(now)

    def __call__(self, now) -> bool:
        if not email.configured():
            return False  # the agenda shows it; the mail waits until there is a mail server
        return super().__call__(now)

    def handle(self, meeting, now) -> None:
        warn_host(meeting)


STEPS = [CalendarSync, AbsenceWarnings]

handle_one_absence_warning = AbsenceWarnings()
