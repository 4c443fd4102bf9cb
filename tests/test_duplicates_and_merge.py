"""Likely duplicates, a merge that keeps everything of both, and its undo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_appointment, make_promise
from verbind.lib.refusals import Refused
from verbind.obligations.models import Appointment, Promise
from verbind.people.duplicates import suggestions
from verbind.people.merging import MergeRefused, merge, undo
from verbind.people.models import ContactKind, Interaction, Merge, Person
from verbind.scheduling.proposals import propose


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


def test_a_merge_keeps_the_removed_persons_open_proposals(twins, owner, workspace):
    a, b = twins
    proposal, _raw = propose(
        owner.memberships.get(workspace=workspace),
        b,
        "Coffee",
        [timezone.now() + timedelta(days=3)],
        timedelta(hours=1),
    )
    record = merge(a, b)
    proposal.refresh_from_db()  # not deleted along with the removed person
    assert proposal.person == a and proposal.state == "open"
    restored = undo(record)
    proposal.refresh_from_db()
    assert proposal.person == restored


def test_a_merge_fills_in_the_time_zone_and_undo_takes_it_away(twins):
    a, b = twins
    Person.objects.filter(pk=b.pk).update(time_zone="America/New_York")
    b.refresh_from_db()
    record = merge(a, b)
    a.refresh_from_db()
    assert a.time_zone == "America/New_York"
    restored = undo(record)
    a.refresh_from_db()
    assert (a.time_zone, restored.time_zone) == ("", "America/New_York")


def test_a_second_mobile_number_survives_a_merge(workspace):
    a = Person.objects.create(workspace=workspace, name="Eva Jansen", phone="+31611111111")
    b = Person.objects.create(workspace=workspace, name="Eva Jansen", phone="+31622222222")
    record = merge(a, b)
    a.refresh_from_db()
    assert a.phones == ["+31611111111", "+31622222222"]
    restored = undo(record)
    a.refresh_from_db()
    assert (a.phones, restored.phones) == (["+31611111111"], ["+31622222222"])


def test_every_address_of_both_is_kept_once(workspace):
    a = Person.objects.create(workspace=workspace, name="Eva Jansen", email="eva@work.example")
    a.add_contact_point(ContactKind.EMAIL, "eva@home.example")
    b = Person.objects.create(workspace=workspace, name="Eva J.", email="eva@home.example")
    b.add_contact_point(ContactKind.EMAIL, "eva@work.example")
    b.add_contact_point(ContactKind.EMAIL, "eva@club.example")
    b.add_contact_point(ContactKind.PHONE, "06 33333333")
    record = merge(a, b)
    a.refresh_from_db()
    assert a.emails == ["eva@work.example", "eva@home.example", "eva@club.example"]
    assert a.phones == ["+31633333333"]
    restored = undo(record)
    a.refresh_from_db()
    assert a.emails == ["eva@work.example", "eva@home.example"] and a.phones == []
    assert restored.emails == ["eva@home.example", "eva@work.example", "eva@club.example"]
    assert restored.phones == ["+31633333333"]


def test_a_merge_refusal_is_a_refusal_with_a_code(twins):
    a, _b = twins
    with pytest.raises(Refused) as refused:
        merge(a, a)
    assert refused.value.code == "merge" and "two different people" in refused.value.message


def test_an_extra_address_shared_by_two_names_makes_them_a_suggestion(workspace):
    first = Person.objects.create(workspace=workspace, name="Anna de Vries", email="anna@a.example")
    second = Person.objects.create(
        workspace=workspace, name="Anna de Vries", email="anna@b.example"
    )
    assert not suggestions(workspace)  # two addresses, none shared: two people
    second.add_contact_point(ContactKind.EMAIL, "anna@a.example")
    assert [(s.first, s.second) for s in suggestions(workspace)] == [(first, second)]
