from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import CommandError

from verbind.lib.uploads import read_file
from verbind.scheduling.calendars import SyncFailed, add_remote, load, sync
from verbind.scheduling.models import CalendarSource
from verbind.workspaces.commands import MemberCommand, add_member_arguments
from verbind.workspaces.permissions import Action


class Command(MemberCommand):
    action = Action.OWN_SETTINGS
    help = "Add a calendar (.ics file, ICS feed or CalDAV) so free times and absences follow it; sync or list them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,sync,list}")
        add = actions.add_parser(
            "add", help="read an .ics file, or follow an ICS feed URL or a CalDAV calendar"
        )
        add.add_argument("source", metavar="FILE|URL")
        add.add_argument("--name", help="what to call it (default: the file name or the host)")
        add.add_argument(
            "--caldav", action="store_true", help="URL is a CalDAV calendar (or account)"
        )
        add.add_argument("--username", default="", help="user name for the feed or CalDAV")
        add.add_argument(
            "--password-env",
            metavar="VAR",
            help="name of the environment variable that holds the password",
        )
        add_member_arguments(add, json=False)
        syncing = actions.add_parser(
            "sync", help="read the member's feeds and CalDAV calendars now"
        )
        syncing.add_argument("name", nargs="?", help="only this calendar")
        add_member_arguments(syncing, json=False)
        listing = actions.add_parser(
            "list", help="the member's calendars, when they were read, and any error"
        )
        add_member_arguments(listing)

    def handle(self, *args, action, member, workspace, **options):
        membership = self.membership(member, workspace)
        getattr(self, f"do_{action}")(membership, **options)

    def do_add(self, membership, source, name, caldav, username, password_env, **options):
        if caldav or "://" in source:
            password = ""
            if password_env:
                if password_env not in os.environ:
                    raise CommandError(f"the environment has no {password_env}", returncode=2)
                password = os.environ[password_env]
            kind = CalendarSource.CALDAV if caldav else CalendarSource.FEED
            label = name or source.split("//", 1)[-1].split("/", 1)[0]
            try:
                calendar = add_remote(membership, label, source, kind, username, password)
            except SyncFailed as exc:
                raise CommandError(f"{label}: {exc.message}", returncode=2) from None
            self._report(calendar, label)
            return
        path = Path(source)
        calendar = load(membership, name or path.name, read_file(path), path.name)
        self._report(calendar, path.name)

    def _report(self, calendar, label):
        blocks = calendar.blocks.count()
        away = calendar.blocks.filter(absence=True).count()
        skipped = calendar.skipped_events
        self.stdout.write(
            f"Read {label}: {calendar.events_read} events, {blocks} busy times, "
            f"{away} of them absences" + (f"; {len(skipped)} skipped:" if skipped else ".")
        )
        for item in calendar.skipped:
            self.stdout.write("  " + skipped_line(item, calendar))

    def do_sync(self, membership, name, **options):
        calendars = membership.calendars.exclude(source=CalendarSource.UPLOAD).order_by("name")
        if name:
            calendars = calendars.filter(name=name)
            if not calendars:
                raise CommandError(f"no feed or CalDAV calendar called {name!r}", returncode=2)
        failed = 0
        for calendar in calendars:
            try:
                sync(calendar)
            except SyncFailed as exc:
                failed += 1
                self.stderr.write(f"{calendar.name}: {exc.message}")
                continue
            self._report(calendar, calendar.name)
        if not calendars:
            self.stdout.write(
                "No feeds or CalDAV calendars to read (uploaded files: add them again)."
            )
        if failed:
            raise CommandError(f"{failed} calendar(s) could not be read", returncode=1)

    def do_list(self, membership, json: bool = False, **options):
        rows = [
            {
                "name": c.name,
                "source": c.source,
                "url": c.url,
                "busy": c.blocks.count(),
                "last_synced_at": c.last_synced_at.isoformat() if c.last_synced_at else None,
                "last_error": c.last_error,
                "events_read": c.events_read,
                "skipped": c.skipped,
            }
            for c in membership.calendars.order_by("name")
        ]
        if json:
            self.stdout.write(self.dumps(rows))
            return
        if not rows:
            self.stdout.write("(no calendars yet)")
            return
        zone = membership.zone
        self.stdout.write(
            f"NAME\tSOURCE\tBUSY\tSKIPPED\tLAST READ ({membership.time_zone})\tERROR"
        )
        for calendar, row in zip(membership.calendars.order_by("name"), rows, strict=True):
            read = (
                f"{calendar.last_synced_at.astimezone(zone):%Y-%m-%d %H:%M}"
                if calendar.last_synced_at
                else "never"
            )
            self.stdout.write(
                f"{row['name']}\t{row['source']}\t{row['busy']}\t{len(calendar.skipped_events)}"
                f"\t{read}\t{row['last_error']}"
            )
            for item in calendar.skipped:
                self.stdout.write("  " + skipped_line(item, calendar))


def skipped_line(item: dict, calendar) -> str:
    """One skipped event (or a note on one read), as the web page says it."""
    where = f"line {item['line']}" + (f", {item['field']}" if item["field"] else "")
    if calendar.source == CalendarSource.CALDAV and item.get("file"):  # one file per event
        where = f"{item['file']}, {where}"
    return f"{'note' if item.get('read') else 'skipped'}: {where}: {item['reason']}"


