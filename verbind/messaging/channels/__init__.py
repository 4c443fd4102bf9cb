"""Channels Verbind can send through itself. Each has ``send(message)`` and raises SendError."""

from __future__ import annotations


class SendError(Exception):
    """A failed send. ``permanent`` means retrying cannot help (a refused address, say)."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
