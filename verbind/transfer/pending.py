"""Uploaded contact files waiting between the preview and the import.

The web keeps an uploaded file in the data folder while the member looks at the
preview. One that was previewed and never imported would stay there for good,
with the contacts it holds; after a day it is removed (a worker step, and at
the next upload).
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

KEPT_FOR = timedelta(days=1)


def folder() -> Path:
    found = Path(settings.DATA_DIR) / "imports"
    found.mkdir(exist_ok=True)
    return found


def keep(data: bytes) -> str:
    """Keep an upload for its preview; its name (a token), stamped with the time it came."""
    remove_stale(timezone.now())
    token = secrets.token_urlsafe(16)
    path = folder() / token
    path.write_bytes(data)
    stamp = timezone.now().timestamp()
    os.utime(path, (stamp, stamp))
    return token


def remove_stale(now: datetime) -> int:
    """Remove the uploads older than a day; how many went."""
    removed = 0
    for path in folder().iterdir():
        try:
            if now.timestamp() - path.stat().st_mtime > KEPT_FOR.total_seconds():
                path.unlink()
                removed += 1
        except FileNotFoundError:  # imported or removed by another process meanwhile
            continue
    return removed
