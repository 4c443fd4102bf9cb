"""`verbind cadence` and `verbind nudge`: what a script or a member at the terminal meets."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from verbind.cadences.models import Cadence, Nudge
from verbind.people.models import Person


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_cadence_for_a_person_and_for_a_tag(owner, person, workspace):
    said = json.loads(run("cadence", person.email, "--every", "6w", "--json"))
    assert said["every_weeks"] == 6 and Cadence.objects.get(person=person).every_weeks == 6
    run("cadence", "--tag", "club members", "--every", "3m")
    assert Cadence.objects.get(tag__name="club members").every_weeks == 12
    assert "Stopped." in run("cadence", person.email, "--stop")
    assert not Cadence.objects.filter(person=person).exists()


def test_a_nudge_from_the_terminal(owner, person):
    said = json.loads(run("nudge", str(person.pk), "--about", "joining the club", "--json"))
    assert said["intervals"] == [2, 4, 8] and said["cap"] == 3
    assert Nudge.objects.get().about == "joining the club"


@pytest.mark.parametrize(
    "args, says",
    [
        (["cadence", "nobody@example.org", "--every", "6w"], "no person"),
        (["cadence", "hans@verbeek.example", "--every", "0w"], "--every"),
        (["cadence", "--every", "6w"], "PERSON or a --tag"),
        (["nudge", "hans@verbeek.example", "--about", "x", "--weeks", "two"], "--weeks"),
    ],
)
def test_mistakes_end_in_one_line_and_status_2(owner, person, args, says):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2 and says in str(caught.value)


def test_a_second_nudge_is_refused_in_one_line(owner, person):
    run("nudge", person.email, "--about", "the proposal")
    with pytest.raises(CommandError) as caught:
        run("nudge", person.email, "--about", "another")
    assert caught.value.returncode == 2 and "one at a time" in str(caught.value)
    assert Person.objects.count() == 1
