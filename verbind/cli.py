"""The `verbind` command: Verbind's own subcommands on top of Django's management commands."""

from __future__ import annotations

import os
import sys

# Verbind's own subcommands, in the order a newcomer meets them.
COMMANDS = [
    "serve",
    "today",
    "figures",
    "desk",
    "worker",
    "status",
    "propose",
    "introduce",
    "cadence",
    "nudge",
    "calendar",
    "import",
    "export",
    "duplicates",
    "backup",
    "restore",
    "demo",
    "members",
    "token",
    "unlock",
    "bench",
]


def overview() -> str:
    from django.core.management import get_commands, load_command_class

    known = get_commands()
    lines = [
        "usage: verbind <command> [options]",
        "",
        "Verbind — a follow-through system for people who network.",
        "",
        "Commands:",
    ]
    for name in COMMANDS:
        command = load_command_class(known[name], name)
        summary = (command.help or "").strip().splitlines()[0]
        lines.append(f"  {name:<12}{summary}")
    lines += [
        "",
        "Django's own commands work too: migrate, createsuperuser, changepassword, check, …",
        "  (`verbind help --all` lists them).",
        "",
        "Run `verbind <command> --help` for the options of one command.",
    ]
    return "\n".join(lines)


def ensure_database() -> None:
    """Bring the database up to date first, so no command of ours meets a missing table."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Preparing the database…", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verbind.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"verbind: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)

    if not argv or argv[0] in ("-h", "--help") or argv == ["help"]:
        print(overview())
        return
    if argv[:2] == ["help", "--all"]:
        argv = ["help"]
    from django.core.management import get_commands

    if argv[0] not in get_commands() and not argv[0].startswith("-"):
        print(
            f"verbind: unknown command {argv[0]!r}; `verbind --help` lists them.", file=sys.stderr
        )
        sys.exit(2)
    if argv[0] in ("-V", "--version"):
        from verbind import __version__

        print(f"verbind {__version__}")
        return
    from django.db import DatabaseError

    try:
        if argv[0] in COMMANDS and not any(flag in argv for flag in ("-h", "--help")):
            ensure_database()
        execute_from_command_line(["verbind", *argv])
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"verbind: cannot use the database {shown_database()}: {reason}", file=sys.stderr)
        sys.exit(2)


def shown_database() -> str:
    """The database URL as it may be printed: without its password."""
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings

    parts = urlsplit(settings.DATABASE_URL)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
