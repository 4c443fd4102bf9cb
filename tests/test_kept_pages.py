"""Today is kept while nothing was written and the minute holds; any write shows at once.

These run outside a test transaction (as a real request does): inside one nothing is kept,
because what a transaction sees may still be rolled back.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_promise
from verbind.followthrough.models import RuleSettings
from verbind.lib import changes
from verbind.people.models import Person
from verbind.web.views import today as today_view

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept_connection(monkeypatch):
    """The connection stays open between requests, as `verbind serve` keeps it (the test
    settings close it after each request, which makes every request a first one)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()
    yield
    connection.close()


# On PostgreSQL the marker is the server's log position: any write on the server, in any
# database (another test run, autovacuum), moves it, so whether a reload is reused there
# depends on what else the server does. That a write always shows is tested on both.
only_where_reuse_is_certain = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="on PostgreSQL, reuse depends on every other writer on the server",
)


@pytest.fixture
def worked_out(monkeypatch, workspace):
    """How many times Today's agenda was worked out."""
    RuleSettings.of(workspace)  # made on a workspace's first visit: a write of its own
    calls = []
    agenda_for = today_view.agenda_for

    def counted(membership):
        calls.append(membership.pk)
        return agenda_for(membership)

    monkeypatch.setattr(today_view, "agenda_for", counted)
    return calls


@pytest.fixture
def frozen():
    """A fixed moment, early in its minute, so no minute turns between two loads."""
    start = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@only_where_reuse_is_certain
def test_a_reload_with_nothing_written_reuses_the_page(web, person, owner, frozen, worked_out):
    make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    first = web.get(reverse("home")).content.decode()
    second = web.get(reverse("home")).content.decode()
    assert "Send the plans" in first
    assert worked_out == [worked_out[0]]  # worked out once, for two loads
    assert _main(second) == _main(first)  # the frame around it has a fresh form token


def _main(page: str) -> str:
    return page.split('<main class="page"')[1].split("</main>")[0]


def test_any_write_shows_on_the_next_load(web, person, owner, organisation, frozen, worked_out):
    make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    assert "Send the plans" in web.get(reverse("home")).content.decode()
    person.name = "Hans van Verbeek"
    person.save()
    page = web.get(reverse("home")).content.decode()
    assert "Hans van Verbeek" in page
    make_promise(person, owner, due_in=timedelta(hours=5), what="Call about the roof")
    assert "Call about the roof" in web.get(reverse("home")).content.decode()
    assert len(worked_out) == 3


def test_a_write_by_another_connection_shows_on_the_next_load(web, person, owner, frozen):
    """The worker and the other web processes write through connections of their own."""
    make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    assert person.name in web.get(reverse("home")).content.decode()

    def elsewhere():
        try:
            Person.objects.filter(pk=person.pk).update(name="Renamed Elsewhere")
        finally:
            connections.close_all()

    writer = threading.Thread(target=elsewhere)
    writer.start()
    writer.join()
    assert "Renamed Elsewhere" in web.get(reverse("home")).content.decode()


@only_where_reuse_is_certain
def test_the_page_is_worked_out_again_when_the_minute_turns(web, person, owner, frozen, worked_out):
    make_promise(person, owner, due_in=timedelta(seconds=90), what="Send the plans")
    web.get(reverse("home"))
    web.get(reverse("home"))
    assert len(worked_out) == 1
    frozen.shift(timedelta(minutes=1))
    web.get(reverse("home"))
    assert len(worked_out) == 2


def test_another_reader_never_gets_this_readers_page(web, person, owner, colleague, frozen):
    make_promise(person, owner, due_in=timedelta(hours=3), what="Send the plans")
    mine = web.get(reverse("home")).content.decode()
    assert "Send the plans" in mine
    other = Client()
    other.force_login(colleague)
    theirs = other.get(reverse("home")).content.decode()
    assert "Send the plans" not in theirs  # the owner's promise is not on the colleague's list
    token = mine.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token not in theirs


def test_the_marker_moves_with_every_write(person):
    before = changes.marker()
    assert before is not None
    Person.objects.filter(pk=person.pk).update(name="Someone Else")
    assert changes.marker() != before


@only_where_reuse_is_certain
def test_the_marker_holds_while_nothing_is_written(person):
    assert changes.marker() == changes.marker()


def test_inside_a_transaction_nothing_is_kept(person):
    from django.db import transaction

    with transaction.atomic():
        assert connection.in_atomic_block
        assert changes.marker() is None


def test_a_private_link_shows_a_booking_at_once(person, owner, frozen):
    """The relation opens their link twice (kept), books a time: the link says so at once."""
    from verbind.scheduling.models import ProposalState
    from verbind.scheduling.proposals import offer

    proposal, raw = offer(owner.memberships.get(), person, within=timedelta(days=14))
    relation = Client()
    first = relation.get(f"/p/{raw}/")
    again = relation.get(f"/p/{raw}/")
    assert first.status_code == again.status_code == 200
    assert "Dit moment boeken" in first.content.decode()
    if connection.vendor == "sqlite":  # kept (on PostgreSQL: unless the server wrote)
        assert _main(first.content.decode()) == _main(again.content.decode())
    token = first.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    slot = proposal.slots.order_by("starts_at").first()
    booked = relation.post(
        f"/p/{raw}/", {"slot": str(slot.pk), "book": "", "csrfmiddlewaretoken": token}
    )
    assert booked.status_code == 200
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.BOOKED
    after = relation.get(f"/p/{raw}/").content.decode()
    assert "Tot dan!" in after and "Dit moment boeken" not in after  # in the relation's Dutch
    # Somebody else with the same link gets their own form token, not this one's page.
    stranger = Client().get(f"/p/{raw}/").content.decode()
    assert token not in stranger


def test_an_unknown_link_stays_unknown_and_a_withdrawn_one_says_so_at_once(person, owner, frozen):
    from verbind.scheduling.proposals import offer, withdraw

    proposal, raw = offer(owner.memberships.get(), person, within=timedelta(days=14))
    relation = Client()
    assert relation.get("/p/not-a-real-token-at-all-000000000/").status_code == 404
    assert relation.get("/p/not-a-real-token-at-all-000000000/").status_code == 404
    assert relation.get(f"/p/{raw}/").status_code == 200
    withdraw(proposal)
    assert relation.get(f"/p/{raw}/").status_code == 410


def test_the_frame_is_kept_but_its_counts_follow_every_write(web, person, owner, workspace, frozen):
    """The navigation is kept too; a message waiting for the member shows on the next load."""
    from verbind.messaging.models import OutboxMessage, Purpose, State

    page = web.get(reverse("people")).content.decode()
    assert 'class="count"' not in page.split("</nav>")[0]
    OutboxMessage.objects.create(
        workspace=workspace,
        purpose=Purpose.FOLLOW_UP,
        state=State.DRAFT,
        person=person,
        sender=owner,
        to_address=person.email,
        subject="The plans",
        body="Here they are.",
        idempotency_key="test:kept-frame",
    )
    nav = web.get(reverse("people")).content.decode().split("</nav>")[0]
    assert 'class="count"' in nav and ">1<" in nav
