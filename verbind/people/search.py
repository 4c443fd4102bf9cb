from __future__ import annotations

from django.db.models import Q

from verbind.people.models import Person


def search_people(workspace, query: str = ""):
    """People of *workspace* matching every word of *query* in a name, address, phone or employer."""
    people = Person.objects.in_workspace(workspace).select_related("organisation")
    for word in query.split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(job_title__icontains=word)
        )
    return people.order_by("name", "id")
