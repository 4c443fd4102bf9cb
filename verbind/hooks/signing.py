"""How a delivery is signed, and how a receiver checks it (docs/api.md shows the same in a
few lines of Python).

``Verbind-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>``.
The time is part of what is signed, so a receiver that refuses old signatures (five minutes,
say) cannot be fooled by a delivery recorded and sent again later.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Verbind-Signature"
TOLERANCE = 300  # seconds a receiver should accept a signature for


def sign(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: int, tolerance: int = TOLERANCE) -> bool:
    """Whether *header* signs *body* with *secret*, made within *tolerance* seconds of *now*."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        at = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - at) > tolerance:
        return False
    expected = sign(secret, body, at).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
