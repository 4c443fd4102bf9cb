from __future__ import annotations

import re

from django.db.models import Q

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.people.models import Person

PHONE_LIKE = re.compile(r"[+\d][\d\s()./-]{5,}")


def search_people(workspace, query: str = ""):
    """People of *workspace* matching every word of *query* in a name, address, phone or employer.

    A query that looks like a phone number (“06 12345678”) is matched the way numbers
    are stored (+31612345678).
    """
    people = Person.objects.in_workspace(workspace).select_related("organisation")
    query = query.strip()
    if PHONE_LIKE.fullmatch(query):
        try:
            return people.filter(phone=normalise_phone(query)).order_by("name", "id")
        except BadPhoneNumber:
            digits = "".join(ch for ch in query if ch.isdigit()).lstrip("0")
            return people.filter(phone__contains=digits).order_by("name", "id")
    for word in query.split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(job_title__icontains=word)
        )
    return people.order_by("name", "id")
