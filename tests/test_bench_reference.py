"""The bench's hand-written SQL agenda finds what the product's agenda finds, and says so
when they part: the yardstick the agenda's speed is measured against must be the same work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from verbind.bench import reference
from verbind.bench.dataset import Generator
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.models import AgendaMark, MarkKind
from verbind.workspaces.models import Membership


@pytest.fixture
def bench_workspace(db):
    return Generator(0.002).build()


def _members(workspace):
    return list(
        Membership.objects.filter(workspace=workspace)
        .select_related("workspace", "user")
        .order_by("id")[:8]
    )


def test_the_reference_finds_every_members_items_with_their_context(bench_workspace):
    at = timezone.now()
    seen_rules = set()
    for membership in _members(bench_workspace):
        product = agenda_for(membership, at)
        assert product, "every bench member has something due"
        assert reference.compare(product, reference.agenda(membership, at)) == []
        seen_rules |= {item.rule for item in product}
    # The comparison covers the generous side's rules as well as the repairs.
    assert {"repair_due", "promise_due_soon", "cadence_due", "introduction", "give_back"} <= (
        seen_rules
    )


def test_they_agree_at_other_moments_and_on_hidden_items(bench_workspace):
    membership = _members(bench_workspace)[1]
    items = agenda_for(membership)
    AgendaMark.objects.create(
        workspace=bench_workspace, member=membership.user, key=items[0].key, kind=MarkKind.DONE
    )
    for at in (
        timezone.now(),
        timezone.now() + timedelta(hours=20),
        timezone.now() + timedelta(days=3),
    ):
        product = agenda_for(membership, at)
        assert items[0].key not in [item.key for item in product]
        assert reference.compare(product, reference.agenda(membership, at)) == []


def test_a_difference_is_named(bench_workspace):
    membership = _members(bench_workspace)[1]
    at = timezone.now()
    product = agenda_for(membership, at)
    assert reference.compare(product[1:], reference.agenda(membership, at))[0].startswith(
        "items differ"
    )
    product[0].context["waiting_message"] = None
    product[0].context["other_open"] = []
    product[0].due_by += timedelta(minutes=1)
    differences = reference.compare(product, reference.agenda(membership, at))
    assert any("due_by" in difference for difference in differences)


def test_the_smaller_history_must_be_smaller():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--small-scale must be"):
        call_command("bench", "--scale", "0.1", "--small-scale", "0.5")
