"""Sign-in throttling: wrong passwords lock an account, or an address, for a growing while.

The rule (docs/roles.md, "Signing in"):

- Wrong passwords are counted per account (the e-mail address typed) and per address
  the tries come from (IPv6: its /64 network). The ``FREE``-th wrong try locks for
  1 minute, and every one after a lock doubles it (2, 4, 8 … minutes), at most
  ``LONGEST``.
- While locked, every try is refused before the password is even checked (the right one
  too), and does not count again.
- A day without a wrong try forgets them; a right password forgets the account's count;
  a password reset by e-mail, and an owner (``unlock``), lift the account's lock.
- API tokens: unknown tokens are counted per address the same way.

Counts live in the database (``SignInFailures``), so every web process and server sees
the same lock, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from verbind.workspaces.models import SignInFailures

Scope = SignInFailures.Scope

FREE = {Scope.ACCOUNT: 5, Scope.ADDRESS: 20, Scope.TOKEN: 10}
FIRST = timedelta(minutes=1)
LONGEST = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


def lock_after(failures: int, free: int) -> timedelta | None:
    """How long the *failures*-th wrong try locks (None: not at all)."""
    if failures < free:
        return None
    return min(FIRST * 2 ** (failures - free), LONGEST)


@dataclass(frozen=True)
class Lock:
    scope: str
    until: datetime

    def minutes(self, now: datetime | None = None) -> int:
        left = (self.until - (now or timezone.now())).total_seconds()
        return max(1, math.ceil(left / 60))

    def message(self, now: datetime | None = None) -> str:
        """What the person reads: why, for how long, and what they can do."""
        minutes = self.minutes(now)
        values = {
            "minutes": minutes,
            "until": formats.time_format(timezone.localtime(self.until), "H:i"),
        }
        if self.scope == Scope.ACCOUNT:
            said = ngettext(
                "Too many wrong passwords for this account: signing in is locked for "
                "%(minutes)d minute (until %(until)s).",
                "Too many wrong passwords for this account: signing in is locked for "
                "%(minutes)d minutes (until %(until)s).",
                minutes,
            )
        else:
            said = ngettext(
                "Too many wrong passwords from this address: signing in is locked for "
                "%(minutes)d minute (until %(until)s).",
                "Too many wrong passwords from this address: signing in is locked for "
                "%(minutes)d minutes (until %(until)s).",
                minutes,
            )
        return (said % values) + " " + _(
            "Wait, reset your password by e-mail, or ask the owner of your workspace to "
            "unlock it."
        )


def account_key(username: str | None) -> str:
    return (username or "").strip().lower()[:254]


def address_key(request) -> str:
    """The address a request comes from; behind a proxy, the one the proxy saw. IPv6 counts
    per /64, the block one machine usually has."""
    raw = request.META.get("REMOTE_ADDR", "") or ""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        raw = forwarded.split(",")[-1].strip() or raw
    return _address(raw)


def _address(raw: str) -> str:
    try:
        found = ipaddress.ip_address(raw.strip())
    except ValueError:
        return raw.strip()[:254] or "unknown"
    if found.version == 6:
        if found.ipv4_mapped:
            return str(found.ipv4_mapped)
        return str(ipaddress.ip_network(f"{found}/64", strict=False))
    return str(found)


def current_lock(*keys: tuple[str, str], now: datetime | None = None) -> Lock | None:
    """The longest lock on any of (*scope*, *key*), if one holds now."""
    now = now or timezone.now()
    found = None
    for scope, key in keys:
        row = (
            SignInFailures.objects.filter(scope=scope, key=key, locked_until__gt=now)
            .values_list("locked_until", flat=True)
            .first()
        )
        if row is not None and (found is None or row > found.until):
            found = Lock(scope, row)
    return found


def failed(scope: str, key: str, now: datetime | None = None) -> Lock | None:
    """Count a wrong try; returns the lock it starts, if it starts one."""
    now = now or timezone.now()
    with transaction.atomic():
        row = SignInFailures.objects.filter(scope=scope, key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SignInFailures.objects.create(
                        scope=scope, key=key, failures=0, last_failure_at=now
                    )
            except IntegrityError:  # another process counted the first one at the same time
                row = SignInFailures.objects.get(scope=scope, key=key)
        if now - row.last_failure_at > FORGET_AFTER:
            SignInFailures.objects.filter(pk=row.pk).update(failures=0)
        SignInFailures.objects.filter(pk=row.pk).update(
            failures=F("failures") + 1, last_failure_at=now
        )
        failures = SignInFailures.objects.values_list("failures", flat=True).get(pk=row.pk)
        wait = lock_after(failures, FREE[scope])
        if wait is None:
            return None
        SignInFailures.objects.filter(pk=row.pk).update(locked_until=now + wait)
        return Lock(scope, now + wait)


def forget(scope: str, key: str) -> int:
    """Lift a lock and forget its count; returns how many were lifted (0 or 1)."""
    deleted, _rows = SignInFailures.objects.filter(scope=scope, key=key).delete()
    return deleted


def unlock(who: str) -> int:
    """An owner's or the operator's unlock: an e-mail address (the account) or an address
    (sign-in and API tokens from it)."""
    who = who.strip()
    if "@" in who:
        return forget(Scope.ACCOUNT, account_key(who))
    key = _address(who)
    return forget(Scope.ADDRESS, key) + forget(Scope.TOKEN, key)


def locked_now(now: datetime | None = None):
    """Every lock that holds now, longest first."""
    return SignInFailures.objects.filter(locked_until__gt=now or timezone.now()).order_by(
        "-locked_until"
    )
