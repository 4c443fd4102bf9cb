"""Likely duplicates, a merge that keeps everything of both, and its undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import make_appointment, make_promise
from verbind.obligations.models import Appointment, Promise
from verbind.people.duplicates import suggestions
from verbind.people.merging import MergeRefused, merge, undo
from verbind.people.models import Interaction, Merge, Person


@pytest.fixture
def twins(workspace, organisation, owner):
    a = Person.objects.create(
        workspace=workspace,
        name="Hans Verbeek",
        email="hans@verbeek.example",
        organisation=organisation,
    )
    b = Person.objects.create(
        workspace=workspace,
        name="H. Verbeek",
        phone="+31612345678",
        organisation=organisation,
        job_title="Owner",
    )
    Interaction.objects.create(workspace=workspace, person=a, kind="call", notes="first")
    Interaction.objects.create(workspace=workspace, person=b, kind="email", notes="second")
    make_appointment(b, owner)
    make_promise(b, owner)
    return a, b


def test_similar_names_at_the_same_organisation_are_suggested(twins, workspace):
    Person.objects.create(workspace=workspace, name="Renée Smit")
    Person.objects.create(workspace=workspace, name="Renee Smit")
    Person.objects.create(workspace=workspace, name="Anna de Vries", email="anna@a.example")
    Person.objects.create(
        workspace=workspace, name="Anna de Vries", email="anna@b.example"
    )  # two addresses: two people
    found = {(s.first.name, s.second.name) for s in suggestions(workspace)}
    assert ("Hans Verbeek", "H. Verbeek") in found or ("Renée Smit", "Renee Smit") in found
    assert ("Renée Smit", "Renee Smit") in found
    assert ("Anna de Vries", "Anna de Vries") not in found


def test_a_merge_keeps_everything_of_both_and_can_be_undone(twins, owner):
    a, b = twins
    b_id = b.pk
    record = merge(a, b, by=owner)
    a.refresh_from_db()
    assert not Person.objects.filter(pk=b_id).exists()
    assert (a.email, a.phone, a.job_title) == ("hans@verbeek.example", "+31612345678", "Owner")
    assert Interaction.objects.filter(person=a).count() == 2
    assert (
        Appointment.objects.filter(person=a).count() == 1
        and Promise.objects.filter(person=a).count() == 1
    )
    restored = undo(record)
    a.refresh_from_db()
    assert restored.pk == b_id and restored.name == "H. Verbeek"
    assert (a.phone, a.job_title) == ("", "")
    assert [i.notes for i in Interaction.objects.filter(person=restored)] == ["second"]
    assert Appointment.objects.filter(person=restored).count() == 1
    with pytest.raises(MergeRefused):
        undo(record)


def test_merging_someone_with_themselves_is_refused(twins):
    a, _b = twins
    with pytest.raises(MergeRefused):
        merge(a, a)


def test_merge_and_undo_from_the_web(web, twins):
    a, b = twins
    b_id = b.pk
    assert "H. Verbeek" in web.get(reverse("duplicates")).content.decode()
    response = web.post(reverse("merge_people"), {"keep": a.pk, "remove": b.pk})
    assert response["Location"] == a.get_absolute_url()
    record = Merge.objects.get()
    web.post(reverse("undo_merge", args=[record.pk]))
    assert Person.objects.filter(pk=b_id).exists()


def test_an_outsider_cannot_merge_or_undo(outsider_web, twins):
    a, b = twins
    assert (
        outsider_web.post(reverse("merge_people"), {"keep": a.pk, "remove": b.pk}).status_code
        == 404
    )
    assert Person.objects.filter(pk=b.pk).exists()
    assert (
        outsider_web.post(reverse("merge_people"), {"keep": "x", "remove": ""}).status_code == 404
    )


def test_verbind_duplicates_lists_them(twins, owner, capsys):
    import json

    call_command("duplicates", "--member", owner.email, "--json")
    pairs = json.loads(capsys.readouterr().out)
    assert any(
        {p["first"]["name"], p["second"]["name"]} == {"Hans Verbeek", "H. Verbeek"} for p in pairs
    )


def test_an_old_appointment_counts_for_the_merged_person(twins, owner):
    a, b = twins
    make_appointment(b, owner, starts_in=-timedelta(days=3), title="Old coffee")
    merge(a, b)
    assert Appointment.objects.get(title="Old coffee").person == a
