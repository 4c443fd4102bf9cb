"""Two people picking the same time at once, against a real `verbind serve` on PostgreSQL.

One wins; the other is told, on the same page, and can pick again. The race is real:
gunicorn with several processes, each request on its own database connection, and two
requests released together by a barrier, round after round. (Without the host lock in
`book()` both win in the first round.)
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.processes import verbind
from verbind.obligations.models import Appointment, AppointmentStatus
from verbind.people.models import Person
from verbind.scheduling.models import Proposal, ProposalState
from verbind.scheduling.proposals import book, propose

ROUNDS = 20
HOUR = timedelta(hours=1)
TAKEN = "Someone else just took that time. Please pick another."
BOOKED = "See you then!"


@pytest.fixture
def needs_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: separate server processes racing on one database "
            "(set DATABASE_URL=postgres://…; .ci/run does)"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`verbind serve` on the test database: gunicorn, several processes, no worker."""
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = verbind(
            "serve",
            "--port",
            str(port),
            "--workers",
            "3",
            "--no-worker",
            # Many bookings from one address on purpose: past the link pages' limit per address.
            extra_env={
                "VERBIND_DATA_DIR": str(tmp_path),
                "VERBIND_LINK_VIEWS": "100000",
                "VERBIND_LINK_ANSWERS": "100000",
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"serve stopped early:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"nothing answered:\n{log.read_text()}"
            try:
                urllib.request.urlopen(base + "/signin/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text(), log.read_text()


class Browser:
    """One person's phone: their own cookies, reading and submitting the public page."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.page = ""

    def open(self) -> None:
        with self.opener.open(self.url, timeout=20) as response:
            assert response.status == 200
            self.page = response.read().decode()

    def pick(self, slot: int) -> tuple[int, str]:
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.page).group(1)
        body = urlencode({"csrfmiddlewaretoken": csrf, "slot": slot, "book": "1"}).encode()
        with self.opener.open(urllib.request.Request(self.url, data=body), timeout=20) as answer:
            self.page = answer.read().decode()
            return answer.status, self.page


def outcome(page: str) -> str:
    return "booked" if BOOKED in page else "told" if TAKEN in page else "other page"


def offered(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="slot" value="(\d+)"', page)]


@dataclass
class Picker:
    proposal: Proposal
    browser: Browser
    contested: int  # the slot both were offered
    own: int  # a slot only this one was offered
    own_starts: datetime


def race(pickers: list[Picker]) -> list[tuple[int, str, float, float]]:
    """Both press "Book this time" at the same moment; returns status, page, start, end."""
    barrier = threading.Barrier(len(pickers))
    answers: list = [None] * len(pickers)

    def pick(i: int, picker: Picker) -> None:
        barrier.wait()
        started = time.monotonic()
        status, page = picker.browser.pick(picker.contested)
        answers[i] = (status, page, started, time.monotonic())

    threads = [threading.Thread(target=pick, args=pair) for pair in enumerate(pickers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(answers), "a request did not come back"
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_two_people_picking_the_same_time_at_once_one_wins_the_other_picks_again(
    server, owner, workspace
):
    host = owner.memberships.get()
    people = [
        Person.objects.create(workspace=workspace, name=name, language="en")
        for name in ("Hans Verbeek", "Linda Bakker")
    ]
    # Each round offers one time to both people (sent before either was held, say),
    # and to each a time of their own, weeks away from everything else.
    first = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    rounds: list[tuple[datetime, list[Picker]]] = []
    for n in range(ROUNDS):
        contested = first + n * 2 * HOUR
        pickers = []
        for i, person in enumerate(people):
            own = first + timedelta(days=30) + (2 * n + i) * 2 * HOUR
            proposal, raw = propose(host, person, f"Coffee {n}", [contested, own], HOUR)
            slot = {s.starts_at: s.pk for s in proposal.slots.all()}
            browser = Browser(f"{server}/p/{raw}/")
            pickers.append(Picker(proposal, browser, slot[contested], slot[own], own))
        rounds.append((contested, pickers))

    overlapping = 0
    winners: dict[datetime, Proposal] = {}
    for contested, pickers in rounds:
        for picker in pickers:
            picker.browser.open()
            assert picker.contested in offered(picker.browser.page)
        answers = race(pickers)
        (_, _, start1, end1), (_, _, start2, end2) = answers
        overlapping += start1 < end2 and start2 < end1  # both were being served at once

        assert [status for status, *_ in answers] == [200, 200]
        outcomes = [outcome(page) for _, page, *_ in answers]
        assert sorted(outcomes) == ["booked", "told"], f"at {contested}: {outcomes}"
        winners[contested] = pickers[outcomes.index("booked")].proposal

        # The one who was too late is told on the page they picked from, and picks again.
        late = pickers[outcomes.index("told")]
        assert 'role="alert"' in late.browser.page and late.own in offered(late.browser.page)
        status, page = late.browser.pick(late.own)
        assert status == 200 and outcome(page) == "booked"
        assert Proposal.objects.get(pk=late.proposal.pk).booked.starts_at == late.own_starts

    # One meeting at each contested time, the winner's; no offer booked twice or shared.
    for contested, proposal in winners.items():
        at_that_time = Appointment.objects.filter(
            owner=owner, starts_at=contested, status=AppointmentStatus.CONFIRMED
        )
        assert at_that_time.count() == 1
        proposal.refresh_from_db()
        assert proposal.state == ProposalState.BOOKED and proposal.booked == at_that_time.get()
        assert proposal.booked.person_id == proposal.person_id
    booked = list(Proposal.objects.values_list("booked_id", flat=True))
    assert None not in booked and len(set(booked)) == len(booked) == 2 * ROUNDS
    assert Appointment.objects.filter(owner=owner).count() == 2 * ROUNDS
    # The race was real: in most rounds both requests were being served at the same time.
    assert overlapping >= ROUNDS // 2, f"only {overlapping} of {ROUNDS} rounds overlapped"


def test_the_one_too_late_is_not_offered_the_time_just_taken_again(owner, workspace):
    host = owner.memberships.get()
    hans, linda = (
        Person.objects.create(workspace=workspace, name=name, language="en")
        for name in ("Hans Verbeek", "Linda Bakker")
    )
    when = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    first, _ = propose(host, hans, "Coffee", [when], HOUR)
    second, raw = propose(host, linda, "Lunch", [when, when + 3 * HOUR], HOUR)
    book(first, first.slots.get().pk)
    taken, free = second.slots.order_by("starts_at")
    page = Client().post(f"/p/{raw}/", {"slot": taken.pk, "book": "1"})
    assert page.status_code == 200 and outcome(page.content.decode()) == "told"
    still = offered(page.content.decode())
    assert taken.pk not in still and free.pk in still
    assert len(still) == 2  # a fresh time took the place of the one just taken
