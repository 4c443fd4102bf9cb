"""Phone numbers as people type them, stored as E.164 (+31612345678)."""

from __future__ import annotations

import phonenumbers


class BadPhoneNumber(ValueError):
    pass


def normalise_phone(raw: str, region: str = "NL") -> str:
    """Return *raw* in E.164 form, or raise BadPhoneNumber with a readable reason."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise BadPhoneNumber(f"“{raw}” does not look like a phone number.") from None
    if not phonenumbers.is_possible_number(number):
        raise BadPhoneNumber(f"“{raw}” has the wrong number of digits for a phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def pretty_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
