from __future__ import annotations

import os
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.db import connections
from rich.console import Console

from verbind.web.server import THREADS, VerbindServer, server_options
from verbind.workspaces.accounts import ensure_local_owner


class Command(BaseCommand):
    help = "Run Verbind: apply migrations, make the first account, and serve the web app and API."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="port to listen on (default 8000)"
        )
        parser.add_argument("--demo", action="store_true", help="also load the demo workspace")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="web processes (default: $WEB_CONCURRENCY, else one per CPU core)",
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run the worker alongside (when `verbind worker` runs elsewhere)",
        )

    def handle(self, *args, host, port, demo, workers, access_log, no_worker, **options):
        console = Console(stderr=True, highlight=False)
        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a port number (1-65535)", returncode=2)
        count, source = web_processes(workers)
        self.check_port_free(host, port)
        with console.status("Preparing the database…"):
            call_command("migrate", interactive=False, verbosity=0)
        owner, password = ensure_local_owner()
        if demo:
            # Lazy: the demo's modules load only for --demo (and after migrate).
            from verbind.demo.stories import load_demo

            with console.status("Loading the demo workspace…"):
                workspace, created = load_demo(owner)
            word = "loaded" if created else "already there"
            console.print(f"Demo workspace “{workspace.name}” {word}.")

        url_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "::1") else host
        url = f"http://{url_host}:{port}/"
        if "VERBIND_SITE_URL" not in os.environ:
            # Links in messages (proposals, feeds) point here unless the address is configured;
            # the worker process started below inherits it.
            os.environ["VERBIND_SITE_URL"] = settings.SITE_URL = url.rstrip("/")
        console.print(f"\n[bold]Verbind[/bold] is running at [link={url}]{url}[/link]")
        if password:
            console.print(
                f"Sign in as [bold]{owner.email}[/bold] with password [bold]{password}[/bold]\n"
                "(shown only now; change it with `verbind changepassword "
                f"{owner.username}`)."
            )
        else:
            console.print(
                f"Sign in as {owner.email}. Forgot the password? "
                f"`verbind changepassword {owner.username}`."
            )
        if host not in ("127.0.0.1", "localhost", "::1") and set(settings.ALLOWED_HOSTS) <= {
            "127.0.0.1",
            "localhost",
            "[::1]",
        }:
            console.print(
                "[yellow]Other machines will get “Bad Request” until you set "
                "VERBIND_ALLOWED_HOSTS to the name or address they use.[/yellow]"
            )
        console.print(f"Data: {settings.DATA_DIR}   Stop: Ctrl+C")
        console.print(
            f"Starting {count} web process{'' if count == 1 else 'es'} with {THREADS} threads "
            f"each ({plural(cores(), 'CPU core')}{source}).\n"
        )
        # The embedded setup: the worker runs beside the web server, so nothing else to start.
        worker = (
            None if no_worker else subprocess.Popen([sys.executable, "-m", "verbind", "worker"])
        )
        # The web processes are forked from this one: none may inherit its database
        # connection (one SQLite handle shared across processes corrupts its locks).
        connections.close_all()
        try:
            VerbindServer(
                get_wsgi_application(), server_options(host, port, count, access_log)
            ).run()
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def check_port_free(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except (OSError, socket.gaierror) as exc:
                hint = "try another --port" if exc.errno == 98 else "check --host"
                raise CommandError(
                    f"cannot listen on {host}:{port}: {exc.strerror or exc}; {hint}",
                    returncode=2,
                ) from None


def cores() -> int:
    """The CPU cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def web_processes(workers: int | None) -> tuple[int, str]:
    """How many web processes to start, and where that number came from (for the start line)."""
    if workers is not None:
        count, source = workers, "--workers"
    elif settings.WEB_CONCURRENCY:
        count, source = settings.WEB_CONCURRENCY, "WEB_CONCURRENCY"
    else:
        return cores(), ""
    if count < 1:
        raise CommandError(
            f"{source} {count}: there must be at least one web process "
            "(leave it out for one per CPU core)",
            returncode=2,
        )
    return count, f"; {source} {count}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
