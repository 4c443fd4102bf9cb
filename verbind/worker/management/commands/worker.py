from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

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
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stderr.write(f"Worker {worker.claimant} running; Ctrl+C to stop.")
        worker.run_forever(stop, idle)
        self.stderr.write("Worker stopped.")
