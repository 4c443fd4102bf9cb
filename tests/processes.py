"""Starting real `verbind` processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from django.db import connection


def database_url() -> str:
    """The address of the database the tests are using right now."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def verbind(*args, extra_env: dict | None = None, **popen) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), **(extra_env or {})}
    env.setdefault("VERBIND_DATA_DIR", tempfile.mkdtemp(prefix="verbind-proc-"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen([sys.executable, "-m", "verbind", *args], env=env, **popen)
