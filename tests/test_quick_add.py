"""Standing at an event: a name, a line, how to reach them, when to follow up — and back."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from verbind.obligations.models import Promise
from verbind.people.models import Interaction, Person


def test_a_person_met_is_saved_with_the_conversation_and_a_follow_up(web, owner):
    answer = web.post(
        reverse("quick_add"),
        {
            "name": "Olivia  Hart",
            "talked": "Hotel project in Amsterdam",
            "reach": "06 12345678",
            "follow_up": "3",
        },
        follow=True,
    )
    assert "Saved Olivia Hart. Next one?" in answer.content.decode()
    assert answer.redirect_chain[-1][0] == reverse("quick_add")  # back, ready for the next
    person = Person.objects.get()
    assert (person.name, person.phone, person.met_on) == (
        "Olivia Hart",
        "+31612345678",
        timezone.localdate(),
    )
    assert Interaction.objects.get(person=person).notes == "Hotel project in Amsterdam"
    promise = Promise.objects.get(person=person)
    assert promise.owner == owner and promise.what == "Follow up with Olivia"
    days = (timezone.localtime(promise.due_at).date() - timezone.localdate()).days
    assert days == 3


def test_an_address_is_told_from_a_number_and_a_bad_one_is_named(web, owner):
    web.post(reverse("quick_add"), {"name": "Ann", "reach": "Ann@Example.org", "follow_up": ""})
    ann = Person.objects.get()
    assert ann.email == "ann@example.org" and not Promise.objects.exists()
    page = web.post(reverse("quick_add"), {"name": "Bob", "reach": "12", "follow_up": ""})
    assert "“12” has the wrong number of digits for a phone number." in page.content.decode()
    assert Person.objects.count() == 1  # nothing half-written


def test_only_a_name_is_needed(web, owner):
    web.post(reverse("quick_add"), {"name": "Carla"})
    assert Person.objects.get().name == "Carla"
    assert not Interaction.objects.exists() and not Promise.objects.exists()


def test_someone_met_again_by_the_same_number_is_not_made_twice(web, owner):
    web.post(reverse("quick_add"), {"name": "Sophie van Dam", "reach": "06 98765432"})
    again = web.post(
        reverse("quick_add"),
        {"name": "Sophie v. Dam", "reach": "+31698765432", "talked": "Second coffee"},
        follow=True,
    )
    assert "Sophie van Dam was known already" in again.content.decode()
    sophie = Person.objects.get()
    assert Interaction.objects.get(person=sophie).notes == "Second coffee"
