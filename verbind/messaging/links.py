"""Links that let a member send a message themselves: mailto:, WhatsApp and tel:."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings


def site_url(path: str) -> str:
    """An address on this Verbind, for mails to members."""
    return settings.SITE_URL + path


def mailto(message) -> str:
    query = urlencode({"subject": message.subject, "body": message.body}, quote_via=quote)
    return f"mailto:{quote(message.to_address, safe='@')}?{query}"


def whatsapp(message) -> str:
    digits = "".join(ch for ch in (message.person.phone if message.person else "") if ch.isdigit())
    return f"https://wa.me/{digits}?text={quote(message.body)}"


def tel(message) -> str:
    phone = message.person.phone if message.person else ""
    return f"tel:{phone}"


def links_for(message) -> dict[str, str]:
    links = {}
    person = message.person
    if message.to_address:
        links["email"] = mailto(message)
    if person is not None and person.phone:
        links["whatsapp"] = whatsapp(message)
        links["phone"] = tel(message)
    return links
