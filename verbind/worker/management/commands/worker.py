from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from verbind.lib.connections import heal
from verbind.messaging import outage
from verbind.worker.loop import Worker


class Command(BaseCommand):
    help = "Run the follow-through worker: open repairs, escalate, send digests and due messages."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="do one pass and stop")
        parser.add_argument(
            "--idle",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="how long to wait between passes (default 5)",
        )

    def handle(self, *args, once, idle, **options):
        if idle <= 0:
            raise CommandError("--idle must be more than 0 seconds", returncode=2)
        worker = Worker()
        if once:
            done = worker.run_pass()
            summary = ", ".join(
                f"{name.removeprefix('handle_one_')}: {n}" for name, n in done.items() if n
            )
            self.stdout.write(f"One pass done. {summary or 'Nothing was due.'}")
            down = outage.current()
            if down is not None:
                self.stdout.write(down_line(down))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stderr.write(f"Worker {worker.claimant} running; Ctrl+C to stop.")
        worker.run_forever(stop, idle, after_pass=MailWatch(self.stderr.write))
        self.stderr.write("Worker stopped.")


def down_line(down) -> str:
    since = timezone.localtime(down.started_at).strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"The mail server is down since {since}: {down.last_error}. "
        "Messages wait (no attempt is used up) and go out oldest first when it is back."
    )


class MailWatch:
    """Says so in the worker's output when the mail server goes down and when it is back."""

    def __init__(self, write):
        self.write = write
        self.down = None

    def __call__(self, done) -> None:
        try:
            down = outage.current()
        except Exception:  # the database is away; the next pass reconnects
            heal()
            return
        if down is not None and (self.down is None or self.down.pk != down.pk):
            self.write(down_line(down))
        elif down is None and self.down is not None:
            self.down.refresh_from_db()
            took = self.down.duration
            minutes = int(took.total_seconds() // 60)
            self.write(f"The mail server is back after {minutes} min; sending what waited.")
        self.down = down
