from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.people.models import ContactKind, ContactPoint, Person

PHONE_LIKE = re.compile(r"[+\d][\d\s()./-]{5,}")


def _has_point(**lookup) -> Exists:
    """Whether one of the person's further addresses or numbers matches *lookup*."""
    return Exists(ContactPoint.objects.filter(person=OuterRef("pk"), **lookup))


def search_people(workspace, query: str = ""):
    """People of *workspace* matching every word of *query* in a name, address, phone or employer.

    Every address and number of a person counts, not only the primary one. A query that
    looks like a phone number (“06 12345678”) is matched the way numbers are stored
    (+31612345678).
    """
    people = Person.objects.in_workspace(workspace).select_related("organisation")
    query = query.strip()
    if PHONE_LIKE.fullmatch(query):
        phone = ContactKind.PHONE
        # The start of a number typed as people say it ("06 987") is found too: the digits
        # after the trunk zero appear in the stored +316987….
        digits = "".join(ch for ch in query if ch.isdigit()).lstrip("0")
        found = Q(phone__contains=digits) | _has_point(kind=phone, value__contains=digits)
        try:
            number = normalise_phone(query)
            found |= Q(phone=number) | _has_point(kind=phone, value=number)
        except BadPhoneNumber:
            pass
        return people.filter(found).order_by("name", "id")
    for word in query.split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | _has_point(value__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(job_title__icontains=word)
        )
    return people.order_by("name", "id")
