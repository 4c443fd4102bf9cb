"""A limit per client address on the pages anyone may open (the private link pages).

The rule: from one address (an IPv6 client counts by its /64), at most
VIEWS requests and at most ANSWERS form posts in each WINDOW. Past it the
page says so, in the visitor's language, with when to try again (429 and
Retry-After). The counts live in Django's cache: per process with the default
cache, which still stops a single address from hammering one worker.
"""

from __future__ import annotations

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

WINDOW = 600  # seconds; the limits are settings (VERBIND_LINK_VIEWS, VERBIND_LINK_ANSWERS)


def client_address(request) -> str:
    """The visitor's address; behind a proxy, the one it added last to X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:  # VERBIND_BEHIND_PROXY: the proxy tells who it serves
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        address = forwarded or address
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def wait_for(request, scope: str) -> int:
    """Count this request; the seconds until the window ends when it is over the limit, else 0."""
    now = time.time()
    window = int(now // WINDOW)
    limits = [("views", settings.LINK_VIEWS)]
    if request.method == "POST":
        limits.append(("answers", settings.LINK_ANSWERS))
    over = False
    for kind, limit in limits:
        key = f"throttle:{scope}:{kind}:{client_address(request)}:{window}"
        cache.add(key, 0, WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW)
            count = 1
        over = over or count > limit
    return int((window + 1) * WINDOW - now) + 1 if over else 0


def throttled(scope: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            seconds = wait_for(request, scope)
            if seconds:
                response = render(
                    request,
                    "web/public/too_many.html",
                    {"minutes": (seconds + 59) // 60},
                    status=429,
                )
                response["Retry-After"] = str(seconds)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
