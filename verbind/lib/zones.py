"""Time zones as people type them: "Amsterdam", "new york" or "America/New_York"."""

from __future__ import annotations

import zoneinfo
from functools import cache


@cache
def known_zones() -> frozenset[str]:
    """Every zone of the zone database, read once per process.

    ``zoneinfo.available_timezones()`` opens every file of the database (about 600) on each
    call: twice per private link page, that was a third of its time (issue #13)."""
    return frozenset(zoneinfo.available_timezones())


@cache
def _by_city() -> dict[str, str]:
    found: dict[str, str] = {}
    for zone in sorted(known_zones()):
        if "/" not in zone:
            continue
        city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
        found.setdefault(city, zone)
    return found


def find_zone(text: str) -> str:
    """The zone's name for *text*, or *text* unchanged when it names none (the caller refuses)."""
    text = " ".join(text.strip().split())
    if not text or text in known_zones():
        return text
    typed = text.replace("_", " ").lower()
    for zone in known_zones():  # the full name in other capitals
        if zone.replace("_", " ").lower() == typed:
            return zone
    return _by_city().get(typed, text)
