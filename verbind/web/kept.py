"""Pages kept while nothing was written: worked out once, served again until a write or the minute.

Today and a private link page are read far more often than what they show changes: a
reload, coming back from another page, a relation opening their link twice. Such a page is
kept (per process, in the "fragments" cache) under all it depends on besides the database
(the address, the reader's language, zone and form token, and what the view adds) together
with ``changes.marker()``, which moves with every write to the database by anyone, and the
minute, because what is due, late or still open is worked out to the minute. Inside a
transaction nothing is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from verbind.lib import changes

KEPT = caches["fragments"]
SECONDS = 60

T = TypeVar("T")


def kept(request, parts: tuple, work_out: Callable[[], T], keep: Callable[[T], bool] = bool) -> T:
    """What ``work_out()`` gives, kept under *parts* while nothing is written (if ``keep`` it)."""
    get_token(request)  # a kept page holds a form token: it is this reader's own
    written = changes.marker()
    if written is None:
        return work_out()
    seen = (
        request.get_full_path(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request.META.get("CSRF_COOKIE", ""),
        written,
        timezone.now().strftime("%Y-%m-%d %H:%M"),
        *parts,
    )
    key = "kept:" + hashlib.sha256(repr(seen).encode()).hexdigest()
    found = KEPT.get(key)
    if found is None:
        found = work_out()
        if keep(found):
            KEPT.set(key, found, SECONDS)
    return found
