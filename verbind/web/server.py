"""Serving Verbind with gunicorn from inside the `verbind serve` command."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

# Threads per web process: requests mostly wait on the database, so a few per process
# keep a core busy; the processes (one per core by default) use the cores.
THREADS = 8


class VerbindServer(BaseApplication):
    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def server_options(host: str, port: int, workers: int, access_log: bool) -> dict:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 10,
        # A kept-alive connection is closed after this long without a request. Gunicorn's
        # 2 s let a busy process close a connection whose next request was already on its
        # way (the client sees it dropped); idle connections wait in the poller, not a thread.
        "keepalive": 10,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "verbind",
    }
