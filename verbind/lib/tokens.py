"""Unguessable tokens for private links and API keys, of which only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def hash_token(raw: str) -> str:
    # Tokens carry 192 bits or more of randomness, so a plain SHA-256 is enough:
    # there is nothing to brute-force, and a lookup by hash stays one indexed query.
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token(nbytes: int = 24) -> tuple[str, str]:
    """A private link token (192 random bits by default) and the hash to store."""
    raw = secrets.token_urlsafe(nbytes)
    return raw, hash_token(raw)
