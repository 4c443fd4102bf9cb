"""Time zones as people type them: "Amsterdam", "new york" or "America/New_York"."""

from __future__ import annotations

import zoneinfo
from functools import cache


@cache
def _by_city() -> dict[str, str]:
    found: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" not in zone:
            continue
        city = zone.rsplit("/", 1)[1].replace("_", " ").lower()
        found.setdefault(city, zone)
    return found


def find_zone(text: str) -> str:
    """The zone's name for *text*, or *text* unchanged when it names none (the caller refuses)."""
    text = " ".join(text.strip().split())
    if text in zoneinfo.available_timezones():
        return text
    typed = text.replace("_", " ").lower()
    for zone in zoneinfo.available_timezones():  # the full name in other capitals
        if zone.replace("_", " ").lower() == typed:
            return zone
    return _by_city().get(typed, text)
