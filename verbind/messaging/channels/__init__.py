"""Channels Verbind can send through itself. Each has ``send(message)`` and raises SendError."""

from __future__ import annotations


class SendError(Exception):
    """A failed send, and whose fault it is.

    ``permanent``: the server refused this message for good (a 5xx answer for its
    address or its content); retrying cannot help, so it fails and says why.
    ``outage``: the server could not be reached or takes no mail at the moment
    (refused or lost connection, a timeout, 421, a refused greeting, login or
    sender). Not the message's fault: it waits, and no attempt is counted.
    ``deferred``: the server asks to try this message again later (a 4xx for its
    recipient or its content); it waits a little longer each time, and never fails for it.
    Anything else is an unexpected error, which fails the message after a few tries.
    """

    def __init__(
        self, reason: str, permanent: bool = False, *, outage: bool = False, deferred: bool = False
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.outage = outage
        self.deferred = deferred
