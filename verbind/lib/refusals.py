"""A refusal: something a person asked for that the rules do not allow, said in their words.

Domain functions raise a subclass of ``Refused``; each edge translates it once
(the web shows the message, the API answers 409 or 422 with the code, the CLI
prints one line and exits 2). No edge decides again what the domain decided.
"""

from __future__ import annotations


class Refused(Exception):
    """*message* is for people (already translated); *code* is for programs."""

    code = "refused"
    # 409: the request clashes with the state of things; 422: the input itself is wrong.
    status = 409

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Invalid(Refused):
    """The input itself is wrong (a time in the past, a file too big)."""

    code = "invalid"
    status = 422
