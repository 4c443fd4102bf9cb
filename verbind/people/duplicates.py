"""Finding people who are probably the same: similar names at the same organisation.

The same e-mail address or phone number is already the same person (imports
match on those). What is left is a judgement call, so these are suggestions.
Names are compared only within blocks (same organisation, or same surname
initial for people without one), so it stays fast on tens of thousands.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from verbind.people.models import ContactKind, ContactPoint, Person

THRESHOLD = 88


@dataclass
class Suggestion:
    first: Person
    second: Person
    score: int
    reason: str

    @property
    def pairs(self):
        """Each side with the other, for a “keep this one” choice on either."""
        return [(self.first, self.second), (self.second, self.first)]


def key(name: str) -> str:
    """Lower case, accents off, so “Renée” and “Renee” compare equal."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().replace(".", " ").split())


def similarity(a: str, b: str) -> int:
    """Fuzzy name likeness, where “H. Verbeek” matches “Hans Verbeek” (same surname, initial)."""
    score = int(fuzz.token_sort_ratio(a, b))
    ta, tb = a.split(), b.split()
    if len(ta) > 1 and len(tb) > 1 and ta[-1] == tb[-1] and ta[0][0] == tb[0][0]:
        if len(ta[0]) == 1 or len(tb[0]) == 1:
            score = max(score, 90)
    return score


def suggestions(workspace, limit: int = 200) -> list[Suggestion]:
    people = list(
        Person.objects.in_workspace(workspace).select_related("organisation").order_by("id")
    )
    emails: dict[int, set[str]] = defaultdict(set)  # every address of each person
    for person in people:
        if person.email:
            emails[person.pk].add(person.email)
    for person_id, value in (
        ContactPoint.objects.in_workspace(workspace)
        .filter(kind=ContactKind.EMAIL)
        .values_list("person_id", "value")
    ):
        emails[person_id].add(value)
    blocks: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        name = key(person.name)
        if not name:
            continue
        if person.organisation_id:
            blocks[("org", person.organisation_id)].append(person)
        else:
            blocks[("name", name.split()[-1][:3])].append(person)
    found: list[Suggestion] = []
    for (kind, _), members in blocks.items():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                mine, theirs = emails[first.pk], emails[second.pk]
                if mine and theirs and not mine & theirs:
                    continue  # different addresses, none shared: two people
                score = similarity(key(first.name), key(second.name))
                if score >= THRESHOLD:
                    reason = "same organisation" if kind == "org" else "similar name"
                    found.append(Suggestion(first, second, score, reason))
    found.sort(key=lambda s: (-s.score, s.first.pk))
    return found[:limit]
