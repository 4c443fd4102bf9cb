"""Phone numbers as people type them, stored as E.164 (+31612345678)."""

from __future__ import annotations

import phonenumbers


class BadPhoneNumber(ValueError):
    """*reason* is "unreadable" or "length"; callers word it in the reader's language."""

    def __init__(self, raw: str, reason: str):
        super().__init__(f"{raw!r}: {reason}")
        self.raw = raw
        self.reason = reason


def normalise_phone(raw: str, region: str = "NL") -> str:
    """Return *raw* in E.164 form, or raise BadPhoneNumber with a readable reason."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise BadPhoneNumber(raw, "unreadable") from None
    if not phonenumbers.is_possible_number(number):
        raise BadPhoneNumber(raw, "length")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
