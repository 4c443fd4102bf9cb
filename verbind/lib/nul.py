"""NUL characters: PostgreSQL cannot store them in text, and no person types one.

Text comes in at the edges (forms, the API, query strings, imported files,
calendars); each edge strips or refuses a NUL there, so what is stored can
always be backed up from SQLite and restored into PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

NUL = "\x00"


def strip_nul(text: str) -> str:
    return text.replace(NUL, "")


def nul_paths(value: object, path: str = "") -> Iterator[str]:
    """Where NULs are in decoded JSON: ``notes``, ``items.2.name``, ``request`` for the whole."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "request"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield name
            yield from nul_paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, f"{path}.{index}" if path else str(index))
