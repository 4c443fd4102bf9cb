"""The four stories of the design, played by a script that uses only the API (a token per
member, the desk's token at the desk), the worker, and a real SMTP server. What the
relations do — pick a date, answer an introduction — they do on their private link pages,
as they would."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.conftest import ApiClient
from verbind.worker.loop import Worker
from verbind.workspaces.accounts import create_workspace, make_user
from verbind.workspaces.models import ApiToken, Membership, Role

AMS = ZoneInfo("Europe/Amsterdam")
pytestmark = pytest.mark.django_db


def at(month, day, hour, minute=0):
    return time_machine.travel(datetime(2026, month, day, hour, minute, tzinfo=AMS), tick=False)


class Script:
    """A member's script: their token, and what it does through the API only."""

    def __init__(self, workspace, user):
        membership = user.memberships.get(workspace=workspace)
        self.api = ApiClient(ApiToken.issue(membership, "script")[1])
        self.user = user
        self.keys = 0

    def ok(self, answer, status=200):
        assert answer.status_code == status, (answer.status_code, answer.content[:500])
        return answer.json()

    def get(self, path, **params):
        return self.ok(self.api.get("/api/v1" + path, **params))

    def post(self, path, data=None, status=200, key=True):
        headers = dict(self.api.headers)
        if key:  # every POST that does something carries its own key, as a careful script's
            self.keys += 1
            headers["Idempotency-Key"] = f"{self.user.pk}-{self.keys}"
        answer = self.api.client.post(
            "/api/v1" + path, data or {}, content_type="application/json", headers=headers
        )
        return self.ok(answer, status)

    def patch(self, path, data):
        return self.ok(self.api.patch("/api/v1" + path, data))

    def item(self, rule):
        found = [item for item in self.get("/agenda") if item["rule"] == rule]
        assert found, [item["rule"] for item in self.get("/agenda")]
        return found[0]

    def send_draft_of(self, item):
        """Write the item's message, read it, send it; the worker takes it to the mail server."""
        drafted = self.post(f"/agenda/{item['key']}/draft")
        message = self.get(f"/messages/{drafted['draft_id']}")
        assert message["state"] == "draft" and message["body"]
        sent = self.post(f"/messages/{message['id']}/send")
        assert sent["state"] == "queued"
        Worker().run_pass()
        return message


class Studio:
    def __init__(self):
        self.maria = make_user("maria@lindeboom.example", "Maria Manager", "pw")
        self.workspace = create_workspace("Studio Lindeboom", self.maria)
        self.pieter = self.member("pieter@lindeboom.example", "Pieter Smit")
        self.sanne = self.member("sanne@lindeboom.example", "Sanne de Wit")
        self.cees = self.member("cees@lindeboom.example", "Cees Collega")
        self.fatima = self.member("fatima@lindeboom.example", "Fatima El Amrani", Role.RECEPTION)

    def member(self, email, name, role=Role.MEMBER):
        user = make_user(email, name, "pw")
        Membership.objects.create(workspace=self.workspace, user=user, role=role)
        return user

    def script(self, user) -> Script:
        return Script(self.workspace, user)


@pytest.fixture
def studio(db):
    return Studio()


def link(message, prefix) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(rf"(/{prefix}/[A-Za-z0-9_\-]+/)", body)[1]


def test_story_1_the_host_who_left_on_a_trip_through_the_api(smtp, studio):
    pieter, cees, desk = (studio.script(u) for u in (studio.pieter, studio.cees, studio.fatima))
    with at(11, 2, 9):
        pieter.patch("/me", {"backup_id": studio.cees.pk})
        hans = pieter.post("/people", {"name": "Hans Verbeek", "email": "hans@verbeek.example",
                                       "language": "nl"}, status=201)
        coffee = pieter.post("/appointments", {
            "title": "Koffie en de plannen", "person_id": hans["id"], "place": "Oudegracht 112",
            "starts_at": "2026-12-02T10:00:00+01:00", "ends_at": "2026-12-02T11:00:00+01:00",
        }, status=201)
        pieter.post("/absences", {"starts_at": "2026-12-01T00:00:00+01:00",
                                  "ends_at": "2026-12-20T00:00:00+01:00",
                                  "note": "Wereldreis"}, status=201)
        Worker().run_pass()
        [warning] = smtp.to("pieter@lindeboom.example")  # weeks before: he is warned, once
        assert "Koffie en de plannen" in warning.get_content()
        assert pieter.item("absence_guard")["obligation"]["id"] == coffee["id"]
    with at(12, 2, 10, 5):  # he did nothing; Hans stands at the desk
        [line] = desk.get("/desk/visits")
        assert line["situation"]["kind"] == "away" and line["situation"]["backup_id"] == studio.cees.pk
        visit = desk.post(f"/desk/appointments/{coffee['id']}/check-in", status=201)
        failed = desk.post(f"/desk/visits/{visit['id']}/failed", {"note_to_visitor": False})
        assert failed["repair_owner_id"] == studio.cees.pk  # the host is away: his backup owes it
        assert desk.api.delete(f"/api/v1/people/{hans['id']}").status_code == 403
    with at(12, 2, 11):  # Cees writes the apology with dates Hans can pick from
        apology = cees.send_draft_of(cees.item("repair_due"))
        assert len(apology["proposed_times"]) == 3
        again = cees.api.client.post(  # the script retries the send: nothing goes twice
            f"/api/v1/messages/{apology['id']}/send", {}, content_type="application/json",
            headers={**cees.api.headers, "Idempotency-Key": f"{studio.cees.pk}-{cees.keys}"},
        )
        assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
        Worker().run_pass()
    [mail] = smtp.to("hans@verbeek.example")
    assert "mijn excuses" in mail["Subject"] and "Past een van deze momenten jou?" in mail.get_content()
    with at(12, 2, 12):  # Hans picks a date on his link; the new meeting is booked
        page = Client().get(link(mail, "p"))
        slot = re.search(r'name="slot" value="(\d+)"', page.content.decode())[1]
        Client().post(link(mail, "p"), {"slot": slot})
        booked = [a for a in cees.get("/appointments")["items"] if a["status"] == "confirmed"]
        assert booked and booked[0]["person_id"] == hans["id"]
        figures = cees.get("/figures", member_id=studio.cees.pk)
        assert figures["workspace"]["repairs_closed"] == 1
        assert figures["workspace"]["repaired"][0]["minutes"] <= 60  # repaired within the hour
        assert cees.get("/agenda") == []
        # back from his trip, Pieter reads who stood in for him and what was done
        [told] = pieter.get("/agenda")
        assert told["rule"] == "repair_stood_in" and "Cees Collega took over" in told["why"]


def test_story_2_the_day_off_through_the_api(smtp, studio):
    sanne, cees, desk = (studio.script(u) for u in (studio.sanne, studio.cees, studio.fatima))
    with at(12, 7, 9):
        sanne.patch("/me", {"backup_id": studio.cees.pk, "mobile": "06 12345678"})
        linda = sanne.post("/people", {"name": "Linda Bakker", "email": "linda@bakkerco.example",
                                       "language": "nl"}, status=201)
        tour = sanne.post("/appointments", {
            "title": "Rondleiding", "person_id": linda["id"],
            "starts_at": "2026-12-08T10:00:00+01:00", "ends_at": "2026-12-08T11:30:00+01:00",
        }, status=201)
    with at(12, 8, 7):  # Sanne takes the day off this morning, after her digest
        sanne.post("/absences", {"starts_at": "2026-12-08T07:00:00+01:00",
                                 "ends_at": "2026-12-09T00:00:00+01:00"}, status=201)
    with at(12, 8, 9, 55):  # Linda arrives: the desk sees Sanne is away before calling
        [line] = desk.get("/desk/visits")
        assert line["situation"]["kind"] == "away"
        visit = desk.post(f"/desk/appointments/{tour['id']}/check-in", status=201)
        assert desk.api.post(f"/api/v1/desk/appointments/{tour['id']}/check-in").status_code == 409
        handed = desk.post(f"/desk/visits/{visit['id']}/hand-over", {"to_id": studio.cees.pk})
        assert handed["handed_to_id"] == studio.cees.pk
        answered = cees.post(f"/desk/visits/{visit['id']}/answer", {"answer": "coming"})
        assert answered["answer"] == "coming"
        assert desk.get("/desk/visits")[0]["answer"] == "coming"  # the desk sees it
    with at(12, 8, 11, 40):
        out = desk.post(f"/desk/visits/{visit['id']}/check-out")
        assert out["checked_out_at"]
        assert sanne.get("/agenda") == [] and cees.get("/agenda") == []  # nobody owes Linda


def test_story_3_the_generous_introduction_through_the_api(smtp, studio):
    me = studio.script(studio.maria)
    with at(11, 2, 9):
        eva = me.post("/people", {"name": "Eva Jansen", "email": "eva@koers.example",
                                  "language": "nl"}, status=201)
        joost = me.post("/people", {"name": "Joost Hermans", "email": "joost@hermans.example",
                                    "language": "en"}, status=201)
        me.post("/ledger/asks", {"person_id": eva["id"], "kind": "ask",
                                 "text": "Looking for her first coaching clients"}, status=201)
        intro = me.post("/introductions", {
            "a_id": eva["id"], "b_id": joost["id"],
            "why": "Eva starts as a coach on a small budget; Joost knows marketing.",
        }, status=201)
        me.post(f"/introductions/{intro['id']}/send")
        Worker().run_pass()
        [to_joost] = smtp.to("joost@hermans.example")  # B is asked first, in his language
        assert Client().post(link(to_joost, "i"), {"answer": "yes"}).status_code == 200
        me.post(f"/introductions/{intro['id']}/send")
        Worker().run_pass()
        [to_eva] = smtp.to("eva@koers.example")
        assert Client().post(link(to_eva, "i"), {"answer": "yes"}).status_code == 200
        me.post(f"/introductions/{intro['id']}/send")  # the joint introduction
        Worker().run_pass()
        assert me.get(f"/introductions/{intro['id']}")["state"] == "introduced"
    with at(11, 24, 10):  # three weeks on: did it help?
        Worker().run_pass()
        me.post(f"/introductions/{intro['id']}/send")
        Worker().run_pass()
        question = smtp.to("eva@koers.example")[-1]
        Client().post(link(question, "i"), {"answer": "helped", "note": "Ik heb een plan!"})
        assert me.get(f"/introductions/{intro['id']}")["state"] == "helped"
        thank_b = me.item("introduction")  # Today: thank Joost, with a warm draft waiting
        assert "Joost" in thank_b["why"]
        [draft] = me.get(f"/introductions/{intro['id']}")["drafts"]
        assert "Joost" in me.get(f"/messages/{draft}")["body"]
        me.post(f"/introductions/{intro['id']}/send")
        Worker().run_pass()
        thanked = smtp.to("joost@hermans.example")[-1]
        assert thanked["Subject"] != to_joost["Subject"] and "Eva" in thanked.get_content()
        balance = me.get(f"/ledger/balance/{joost['id']}")
        assert balance["got"] >= 1


def test_story_4_the_patient_chair_through_the_api(smtp, studio):
    me = studio.script(studio.maria)
    with at(6, 20, 21):
        mark = me.post("/people", {"name": "Mark de Boer", "email": "mark@deboer.example",
                                   "language": "nl"}, status=201)
        me.post("/interactions", {"person_id": mark["id"], "kind": "event",
                                  "notes": "Zijn zeilvakantie in Griekenland"}, status=201)
        nudge = me.post("/nudges", {"person_id": mark["id"], "about": "lid worden van de club"},
                        status=201)
        assert me.get("/agenda") == []  # nothing pushes
    with at(7, 4, 9):  # two weeks on: the first warm step
        step = me.send_draft_of(me.item("nudge_step_due"))
        assert "zeilvakantie in Griekenland" in step["body"]
        [first] = smtp.to("mark@deboer.example")
        assert "Kan ik je ergens mee helpen?" in first.get_content()
    with at(9, 7, 10):  # after the summer: the second
        me.send_draft_of(me.item("nudge_step_due"))
        assert smtp.to("mark@deboer.example")[1]["Subject"] == "Hoe was je zomer, Mark?"
    with at(9, 20, 18):  # he answers; the script logs it, and the sequence stops by itself
        me.post("/interactions", {"person_id": mark["id"], "kind": "email",
                                  "direction": "inbound",
                                  "notes": "Ik kom graag naar de volgende clubavond!"}, status=201)
        assert me.get(f"/nudges/{nudge['id']}")["state"] == "answered"
    with at(12, 1, 10):
        Worker().run_pass()
        assert me.get("/agenda") == []
    assert len(smtp.to("mark@deboer.example")) == 2
