"""Rule queries compiled once and run again with other values find what the queryset finds."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count, Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import make_appointment, make_promise
from verbind.lib.prepared import NotPreparable, Prepared
from verbind.obligations.models import Outcome, Promise
from verbind.people.models import Interaction, Person


def _due_before(v):
    return (
        Promise.objects.filter(
            workspace_id=v.workspace, owner_id=v.member, outcome=Outcome.OPEN, due_at__lte=v.at
        )
        .select_related("person__organisation")
        .order_by("due_at", "id")
    )


@pytest.fixture
def promises(workspace, owner, colleague, person, organisation):
    other = Person.objects.create(workspace=workspace, name="Pim Peters")
    made = [make_promise(person, owner, due_in=timedelta(hours=h)) for h in (-30, -2, 5, 50)]
    made.append(make_promise(other, owner, due_in=timedelta(hours=1)))
    made.append(make_promise(person, colleague, due_in=timedelta(hours=-1)))
    return made


def test_it_finds_what_the_queryset_finds_for_each_member_and_moment(
    workspace, owner, colleague, promises
):
    due = Prepared(_due_before)
    now = timezone.now()
    for member in (owner, colleague):
        for at in (now - timedelta(days=2), now, now + timedelta(hours=6), now + timedelta(days=3)):
            expected = list(
                _due_before(SimpleNamespace(workspace=workspace.pk, member=member.pk, at=at))
            )
            found = due.run(workspace=workspace.pk, member=member.pk, at=at)
            assert [p.pk for p in found] == [p.pk for p in expected]
            assert [p.due_at for p in found] == [p.due_at for p in expected]
    assert len(due.compiled) == 1  # compiled once, run sixteen times


def test_the_related_rows_come_with_it_without_further_queries(workspace, owner, promises):
    due = Prepared(_due_before)
    found = due.run(workspace=workspace.pk, member=owner.pk, at=timezone.now() + timedelta(days=9))
    with CaptureQueriesContext(connection) as queries:
        names = [
            (p.person.name, p.person.organisation.name if p.person.organisation else None)
            for p in found
        ]
    assert len(queries) == 0
    assert ("Pim Peters", None) in names
    assert ("Hans Verbeek", "Verbeek Bouwadvies") in names


def test_lists_of_any_length_find_the_same_as_in(workspace, owner, person, promises):
    people = list(Person.objects.filter(workspace=workspace).values_list("pk", flat=True))
    of_people = Prepared(
        lambda v: Promise.objects.filter(person_id__in=v.people).order_by("id").values_list("id")
    )
    for chosen in ([people[0]], people[:2], people, [*people, 999_999]):
        expected = list(
            Promise.objects.filter(person_id__in=chosen).order_by("id").values_list("id")
        )
        assert of_people.run(people=chosen) == expected
    with pytest.raises(ValueError, match="empty list"):
        of_people.run(people=[])


def test_annotations_and_subqueries_are_carried(workspace, owner, person):
    make_appointment(person, owner, starts_in=timedelta(days=-3))
    Interaction.objects.create(
        workspace=workspace, person=person, member=owner, kind="email", occurred_at=timezone.now()
    )
    counted = Prepared(
        lambda v: (
            Person.objects.filter(workspace_id=v.workspace)
            .annotate(
                heard=Exists(
                    Interaction.objects.filter(person=OuterRef("pk"), occurred_at__lte=v.at)
                ),
                meetings=Count("appointments"),
            )
            .order_by("id")
        )
    )
    before = counted.run(workspace=workspace.pk, at=timezone.now() - timedelta(days=1))
    after = counted.run(workspace=workspace.pk, at=timezone.now() + timedelta(days=1))
    assert [p.heard for p in before] == [False]
    assert [p.heard for p in after] == [True]
    assert after[0].meetings == 1


def test_a_value_worked_out_inside_the_query_is_refused(workspace, owner):
    # at - 30 days would be compiled in as a constant: the member's next visit would ask
    # about the first visitor's month.
    month = Prepared(
        lambda v: Promise.objects.filter(owner_id=v.member, due_at__gt=v.at - timedelta(days=30))
    )
    with pytest.raises(NotPreparable, match="pass it as a value"):
        month.run(member=owner.pk, at=timezone.now())


def test_prefetching_is_refused(workspace):
    with pytest.raises(NotPreparable, match="prefetch"):
        Prepared(
            lambda v: Person.objects.filter(workspace_id=v.workspace).prefetch_related("promises")
        ).run(workspace=workspace.pk)


def test_fixed_words_are_written_in_quoted_and_still_find_the_same(workspace):
    for name in ("O'Brien & Zn.", "100% Bouw", "back\\slash"):
        Person.objects.create(workspace=workspace, name=name)
    for name in ("O'Brien & Zn.", "100% Bouw", "back\\slash", "nobody"):
        named = Prepared(
            lambda v, name=name: Person.objects.filter(workspace_id=v.workspace, name=name)
        )
        found = named.run(workspace=workspace.pk)
        assert [p.name for p in found] == ([] if name == "nobody" else [name])
    # The state is written into the text; the member's id stays a bound value.
    due = Prepared(_due_before)
    due.run(workspace=workspace.pk, member=1, at=timezone.now())
    (compiled,) = due.compiled.values()
    assert "'open'" in compiled.sql
    assert sorted(slot[1] for slot in compiled.slots) == ["at", "member", "workspace"]


def test_straight_to_the_driver_or_through_django_it_finds_the_same(workspace, owner, promises):
    due = Prepared(_due_before)
    at = timezone.now() + timedelta(days=9)
    quiet = due.run(workspace=workspace.pk, member=owner.pk, at=at)
    with CaptureQueriesContext(connection) as watched:
        seen = due.run(workspace=workspace.pk, member=owner.pk, at=at)
    assert len(watched) == 1  # a watched connection sees the query
    assert [(p.pk, p.due_at, p.person.name) for p in quiet] == [
        (p.pk, p.due_at, p.person.name) for p in seen
    ]
    assert len(quiet) == 5
