from __future__ import annotations

import re

from django.db import connections
from django.db.models import Exists, OuterRef, Q

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.people import searchindex
from verbind.people.models import ContactKind, ContactPoint, Organisation, Person

PHONE_LIKE = re.compile(r"[+\d][\d\s()./-]{5,}")

# The rule, a word at a time, in two forms that find the same people. Over all the people
# (a scan), the further addresses and the employer are matched as sets (`id IN (SELECT …)`):
# each set is found once per word, in the smaller tables, and the scan then tests plain
# columns only (issue #13: search was two scans joined to organisations). Over the few
# candidates the index gives, they are looked up per person (EXISTS, the joined employer),
# which costs a few index lookups instead of a pass over every address and organisation.


def _with_point(workspace, **lookup) -> Q:
    """People with one of their further addresses or numbers matching *lookup*."""
    points = ContactPoint.objects.in_workspace(workspace).filter(**lookup)
    return Q(pk__in=points.values("person_id"))


def _at_organisation(workspace, word: str) -> Q:
    """People whose organisation's name contains *word*."""
    named = Organisation.objects.in_workspace(workspace).filter(name__icontains=word)
    return Q(organisation_id__in=named.values("pk"))


def _has_word(workspace, word: str) -> Q:
    return (
        Q(name__icontains=word)
        | Q(email__icontains=word)
        | Q(phone__icontains=word)
        | _with_point(workspace, value__icontains=word)
        | _at_organisation(workspace, word)
        | Q(job_title__icontains=word)
    )


def _candidate_has_word(workspace, word: str) -> Q:
    points = ContactPoint.objects.in_workspace(workspace).filter(
        person_id=OuterRef("pk"), value__icontains=word
    )
    return (
        Q(name__icontains=word)
        | Q(email__icontains=word)
        | Q(phone__icontains=word)
        | Exists(points)
        | Q(organisation__workspace=workspace, organisation__name__icontains=word)
        | Q(job_title__icontains=word)
    )


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
        found = Q(phone__contains=digits) | _with_point(
            workspace, kind=phone, value__contains=digits
        )
        try:
            number = normalise_phone(query)
            found |= Q(phone=number) | _with_point(workspace, kind=phone, value=number)
        except BadPhoneNumber:
            pass
        return people.filter(found).order_by("name", "id")
    words = query.split()
    # The index narrows the people down to those who may have every word; the rule below
    # then decides, so what is found is the same with the index as without it.
    ids = searchindex.candidate_ids(connections[people.db], workspace.pk, words)
    has_word = _has_word
    if ids is not None:
        # Only the workspace's people are among the candidates. Without the workspace in
        # this query SQLite reads the people by id, not the workspace's index (all of them).
        people = Person.objects.filter(pk__in=ids).select_related("organisation")
        has_word = _candidate_has_word
    for word in words:
        people = people.filter(has_word(workspace, word))
    return people.order_by("name", "id")
