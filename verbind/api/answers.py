"""What each route can answer, for the OpenAPI schema: its success, and the errors it gives.

Every error is JSON with a message (and a code for refusals, the fields for a 422),
whatever raised it; ``answers`` puts them in the schema next to the success, so a
client generated from /api/v1/openapi.json knows them.
"""

from __future__ import annotations

from ninja import Schema

ALWAYS = (401, 422)  # every route needs a token and validates what it is given


class Message(Schema):
    message: str
    code: str | None = None
    errors: dict[str, list[str]] | None = None


def answers(ok, *codes: int) -> dict:
    """``response=`` for a route: *ok* (a schema, or ``{201: Schema}``) and the error codes."""
    found = dict(ok) if isinstance(ok, dict) else {200: ok}
    if 413 in codes:  # a route that reads a body: one that is not JSON at all is a 400
        codes = (*codes, 400)
    for code in sorted({*ALWAYS, *codes}):
        found[code] = Message
    return found
