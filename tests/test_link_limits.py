"""A private link cannot be used to flood the host: few answers per link, a limit per address,
and nothing of the meeting shown once it took place."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from verbind.obligations.models import Promise, PromiseKind
from verbind.people.models import Interaction
from verbind.scheduling.proposals import MOST_REQUESTS_PER_LINK, propose, withdraw
from verbind.scheduling.slots import free_slots
from verbind.web import throttle

# Part of the fault suite (`pytest -m faults`): the limits on what a client sends.
pytestmark = pytest.mark.faults

HOUR = timedelta(hours=1)


def offered(owner, person):
    host = owner.memberships.get()
    return propose(
        host, person, "Coffee at De Ruif", free_slots(host, HOUR), HOUR, place="De Ruif, Utrecht"
    )


def asked(person) -> int:
    return Interaction.objects.filter(
        person=person, notes__startswith="Asked for new dates from the link"
    ).count()


def test_thirty_requests_for_new_dates_on_a_withdrawn_link_make_one_entry(owner, person):
    proposal, raw = offered(owner, person)
    withdraw(proposal)
    for n in range(30):
        Client().post(f"/p/{raw}/", {"ask_again": "1", "note": f"Please, attempt {n}"})
    assert asked(person) == 1
    assert Promise.objects.filter(person=person, kind=PromiseKind.NEW_DATES).count() == 1


def test_a_link_takes_a_new_request_only_after_the_last_was_answered_and_only_a_few(
    owner, person
):
    proposal, raw = offered(owner, person)
    withdraw(proposal)
    for n in range(MOST_REQUESTS_PER_LINK):
        page = Client().post(f"/p/{raw}/", {"ask_again": "1", "note": f"Round {n}"})
        assert "stuurt je nieuwe datums" in page.content.decode()  # their language: Dutch
        # The host sent new dates: the request is answered, the link may ask again.
        Promise.objects.filter(person=person, kind=PromiseKind.NEW_DATES).update(
            status="kept", outcome="kept"
        )
    page = Client().post(f"/p/{raw}/", {"ask_again": "1", "note": "Once more"})
    assert page.status_code == 410
    assert "schrijf Olga Owner gerust zelf" in page.content.decode()
    assert asked(person) == MOST_REQUESTS_PER_LINK


def test_one_address_that_opens_a_link_too_often_is_asked_to_pause(owner, person, settings):
    _proposal, raw = offered(owner, person)
    with time_machine.travel(timezone.now(), tick=False):
        visitor = Client(REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="nl")
        for _ in range(settings.LINK_VIEWS):
            assert visitor.get(f"/p/{raw}/").status_code == 200
        paused = visitor.get(f"/p/{raw}/")
        assert paused.status_code == 429
        assert int(paused["Retry-After"]) <= throttle.WINDOW + 1
        assert "Een korte pauze" in paused.content.decode()
        # Another address is not held up by it.
        assert Client(REMOTE_ADDR="198.51.100.9").get(f"/p/{raw}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=throttle.WINDOW + 1)):
        assert visitor.get(f"/p/{raw}/").status_code == 200


def test_answers_have_a_lower_limit_than_views(owner, person):
    proposal, raw = offered(owner, person)
    withdraw(proposal)
    with time_machine.travel(timezone.now(), tick=False):
        visitor = Client(REMOTE_ADDR="2001:db8:1:2::7")
        for _ in range(settings.LINK_ANSWERS):
            visitor.post(f"/p/{raw}/", {"ask_again": "1"})
        # The next address in the same /64 counts as the same visitor.
        neighbour = Client(REMOTE_ADDR="2001:db8:1:2::8", HTTP_ACCEPT_LANGUAGE="en")
        paused = neighbour.post(f"/p/{raw}/", {"ask_again": "1"})
        assert paused.status_code == 429 and "A short pause" in paused.content.decode()


def test_a_booked_link_stops_showing_the_meeting_once_it_took_place(owner, person):
    proposal, raw = offered(owner, person)
    slot = proposal.slots.order_by("starts_at").first()
    page = Client().post(f"/p/{raw}/", {"slot": slot.pk, "book": "1"})
    assert "De Ruif, Utrecht" in page.content.decode()
    with time_machine.travel(slot.starts_at + timedelta(minutes=30)):
        during = Client().get(f"/p/{raw}/")
        assert "De Ruif, Utrecht" in during.content.decode()
    with time_machine.travel(slot.ends_at + timedelta(minutes=1)):
        after = Client().get(f"/p/{raw}/")
        assert after.status_code == 410
        text = after.content.decode()
        assert "De Ruif, Utrecht" not in text and "Coffee at De Ruif" not in text
        assert Client().get(f"/p/{raw}/meeting.ics").status_code == 404
