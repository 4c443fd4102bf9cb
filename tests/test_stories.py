"""The four stories of the design, end to end through time.

State is built through the API and the web as people would; the agenda is
checked at each step; the mail is read back from a real SMTP server.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.conftest import ApiClient
from verbind.followthrough.agenda import agenda_for
from verbind.followthrough.figures import figures_for
from verbind.followthrough.models import Repair
from verbind.messaging.models import OutboxMessage
from verbind.worker.loop import Worker
from verbind.workspaces.accounts import create_workspace, make_user
from verbind.workspaces.models import ApiToken, Membership, Role

AMS = ZoneInfo("Europe/Amsterdam")


def at(day, hour, minute=0):
    return time_machine.travel(datetime(2026, 12, day, hour, minute, tzinfo=AMS), tick=False)


class Office:
    """Studio Lindeboom: a manager, two colleagues who meet people, and a front desk."""

    def __init__(self):
        self.manager = make_user("maria@lindeboom.example", "Maria Manager", "pw")
        self.workspace = create_workspace("Studio Lindeboom", self.manager)
        Membership.objects.filter(user=self.manager).update(role=Role.MANAGER)
        self.pieter = self.member("pieter@lindeboom.example", "Pieter Smit")
        self.sanne = self.member("sanne@lindeboom.example", "Sanne de Wit")
        self.cees = self.member("cees@lindeboom.example", "Cees Collega")
        self.fatima = self.member("fatima@lindeboom.example", "Fatima El Amrani", Role.RECEPTION)

    def member(self, email, name, role=Role.MEMBER):
        user = make_user(email, name, "pw")
        Membership.objects.create(workspace=self.workspace, user=user, role=role)
        return user

    def membership(self, user):
        return user.memberships.get(workspace=self.workspace)

    def api(self, user) -> ApiClient:
        return ApiClient(ApiToken.issue(self.membership(user), "test")[1])

    def web(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def keys(self, user):
        return [item.key for item in agenda_for(self.membership(user))]


@pytest.fixture
def office(db):
    return Office()


def test_story_1_the_host_who_left_on_a_trip(smtp, office):
    pieter = office.api(office.pieter)
    with at(1, 9):
        hans = pieter.post(
            "/api/v1/people", {"name": "Hans Verbeek", "email": "hans@verbeek.example", "language": "nl"}
        ).json()
        visit = pieter.post(
            "/api/v1/appointments",
            {
                "title": "Koffie en de plannen",
                "person_id": hans["id"],
                "place": "Oudegracht 112",
                "starts_at": "2026-12-02T10:00:00+01:00",
                "ends_at": "2026-12-02T11:00:00+01:00",
            },
        ).json()
        assert office.keys(office.pieter) == []
    with at(2, 10, 5):  # Hans stands at the desk; Pieter left on his trip yesterday
        desk = office.web(office.fatima)
        desk.post(reverse("appointment_transition", args=[visit["id"]]), {"to": "missed_by_us"})
        assert office.keys(office.pieter) == [f"repair:appointment:{visit['id']}"]
        Worker().run_pass()
        assert not smtp.messages
    with at(3, 10, 5):  # a day later nobody has written to Hans: it escalates to the manager
        assert agenda_for(office.membership(office.pieter))[0].urgency == 0
        Worker().run_pass()
        [escalation] = [m for m in smtp.messages if "is overdue" in m["Subject"]]
        assert escalation["To"] == "maria@lindeboom.example"
        assert "Hans Verbeek" in escalation["Subject"]
        [digest] = smtp.to("pieter@lindeboom.example")  # his morning digest said so too, at 8:00
        assert "Koffie en de plannen" in digest.get_content()
        assert office.keys(office.manager) == [f"escalated:repair:appointment:{visit['id']}"]
        assert figures_for(office.workspace, office.pieter).silent_drops == 1
    with at(3, 10, 30):  # Maria steps in: an apology with dates Hans can pick from
        maria = office.web(office.manager)
        response = maria.post(
            reverse("agenda_action", args=[f"escalated:repair:appointment:{visit['id']}", "draft"])
        )
        message = OutboxMessage.objects.get(purpose="apology")
        assert response["Location"] == reverse("message", args=[message.pk])
        form = maria.get(response["Location"]).context["form"]
        data = {**{k: v for k, v in form.initial.items()}, "send": "1"}
        data = {
            k: (v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v)
            for k, v in data.items()
        }
        maria.post(response["Location"], data)
        Worker().run_pass()
    apology = smtp.to("hans@verbeek.example")[0]
    text = apology.get_content()
    assert "Koffie en de plannen — mijn excuses" == apology["Subject"]
    assert "Past een van deze momenten jou?" in text and text.count("  – ") == 3
    assert Repair.objects.get().closed_because == "sent"
    with at(3, 11):
        assert office.keys(office.manager) == [] and office.keys(office.pieter) == []


def test_story_2_the_day_off(smtp, office):
    sanne = office.membership(office.sanne)
    sanne.backup = office.membership(office.cees)
    sanne.save()
    with at(7, 9):
        linda = (
            office.api(office.sanne)
            .post("/api/v1/people", {"name": "Linda Bakker", "email": "linda@bakkerco.example", "language": "nl"})
            .json()
        )
        tour = (
            office.api(office.sanne)
            .post(
                "/api/v1/appointments",
                {
                    "title": "Rondleiding",
                    "person_id": linda["id"],
                    "starts_at": "2026-12-08T10:00:00+01:00",
                    "ends_at": "2026-12-08T11:30:00+01:00",
                },
            )
            .json()
        )
    with at(8, 9, 50):  # early at the desk; Sanne took the day off and nobody can stand in
        office.api(office.fatima).post(
            f"/api/v1/appointments/{tour['id']}/transition", {"to": "missed_by_us"}
        )
        assert office.keys(office.sanne) == [f"repair:appointment:{tour['id']}"]
    with at(9, 9, 50):
        Worker().run_pass()
        [escalation] = [m for m in smtp.messages if "is overdue" in m["Subject"]]
        assert escalation["To"] == "cees@lindeboom.example"  # the backup, not the manager
        assert office.keys(office.cees) == [f"escalated:repair:appointment:{tour['id']}"]
    with at(9, 11):  # Linda rang; Cees records what was agreed
        office.web(office.cees).post(
            reverse(
                "agenda_action", args=[f"escalated:repair:appointment:{tour['id']}", "answered"]
            ),
            {"note": "Linda belde; nieuwe rondleiding vrijdag 11 december"},
        )
        repair = Repair.objects.get()
        assert (repair.state, repair.closed_because) == ("closed", "answered")
        assert office.keys(office.cees) == [] and office.keys(office.sanne) == []
        team = figures_for(office.workspace)
        assert team.silent_drops == 1 and team.repaired == 1  # she heard nothing in time: it counts


def test_story_3_the_generous_introduction(smtp, office):
    me = office.api(office.manager)
    with at(14, 9):
        joost = me.post(
            "/api/v1/people",
            {"name": "Joost Hermans", "email": "joost@hermans.example", "language": "en"},
        ).json()
        lunch = me.post(
            "/api/v1/appointments",
            {
                "title": "Lunch about Eva's plans",
                "person_id": joost["id"],
                "starts_at": "2026-12-14T12:00:00+01:00",
                "ends_at": "2026-12-14T13:00:00+01:00",
            },
        ).json()
        promise = me.post(
            "/api/v1/promises",
            {
                "what": "Thank Joost for helping Eva",
                "person_id": joost["id"],
                "due_at": "2026-12-16T17:00:00+01:00",
            },
        ).json()
    with at(14, 13, 30):
        me.post(f"/api/v1/appointments/{lunch['id']}/transition", {"to": "held"})
        assert office.keys(office.manager) == [f"thank-you:{lunch['id']}"]
    with at(15, 17, 0):
        keys = office.keys(office.manager)
        assert keys == [
            f"thank-you:{lunch['id']}",
            f"promise:{promise['id']}",
        ]  # due within a day now
        web = office.web(office.manager)
        response = web.post(reverse("agenda_action", args=[f"thank-you:{lunch['id']}", "draft"]))
        message = OutboxMessage.objects.get()
        web.post(
            response["Location"],
            {
                "channel": "email",
                "subject": message.subject,
                "body": message.body + "\nEva told me what your two hours meant to her.\n",
                "send": "1",
            },
        )
        Worker().run_pass()
        [thanks] = smtp.to("joost@hermans.example")
        assert "Thank you for “Lunch about Eva's plans”" in thanks.get_content()
        assert "what your two hours meant" in thanks.get_content()
        web.post(reverse("agenda_action", args=[f"promise:{promise['id']}", "kept"]))
        assert office.keys(office.manager) == []


def test_story_4_the_patient_chair(smtp, office):
    me = office.api(office.manager)
    with at(1, 10):
        mark = me.post(
            "/api/v1/people", {"name": "Mark de Boer", "email": "mark@deboer.example", "language": "nl"}
        ).json()
        evening = me.post(
            "/api/v1/appointments",
            {
                "title": "Clubavond als gast",
                "person_id": mark["id"],
                "starts_at": "2026-12-10T19:30:00+01:00",
                "ends_at": "2026-12-10T22:00:00+01:00",
            },
        ).json()
    with at(9, 8):  # Mark cannot come after all
        me.post(f"/api/v1/appointments/{evening['id']}/transition", {"to": "cancelled_by_them"})
        [item] = agenda_for(office.membership(office.manager))
        assert item.key == f"new-dates:{evening['id']}" and item.urgency == 2
    with at(11, 7, 59):
        assert agenda_for(office.membership(office.manager))[0].urgency == 1
    with at(11, 8):
        assert agenda_for(office.membership(office.manager))[0].urgency == 0  # 48 hours: overdue
        web = office.web(office.manager)
        response = web.post(reverse("agenda_action", args=[f"new-dates:{evening['id']}", "draft"]))
        message = OutboxMessage.objects.get()
        assert len(message.next_step.times) == 3
        form = web.get(response["Location"]).context["form"]
        data = {
            k: (v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v)
            for k, v in form.initial.items()
        }
        web.post(response["Location"], {**data, "send": "1"})
        Worker().run_pass()
        [offer] = smtp.to("mark@deboer.example")
        assert offer["Subject"] == "Een nieuwe datum voor Clubavond als gast?"
        assert "Ik zie je nog steeds graag." in offer.get_content()
        assert office.keys(office.manager) == []  # nothing pushes after that
