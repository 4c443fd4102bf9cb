"""The desk's privacy: what it keeps about a visitor who asks (web, API, CLI), and the desk's
settings — how long a host may take, how long walk-ins are kept — set without the admin."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ApiClient
from tests.test_desk import NOW, signed_in
from verbind.desk import visits as desk
from verbind.desk.models import DeskSettings, Visit
from verbind.worker.loop import Worker
from verbind.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_a_visitor_who_asks_sees_every_visit_kept_and_until_when(desk_team, visitor, workspace, owner):
    host, _backup, reception = desk_team
    desk.walk_in(workspace, host, reception.user, name="Piet Passant", phone="06 12345678",
                 email="piet@passant.example")
    desk.walk_in(workspace, host, reception.user, person=visitor)
    web = signed_in(owner)
    for asked in ("piet passant", "PIET@passant.example", "+31 6 1234 5678"):
        page = web.get("/desk/visitor-data/", {"q": asked}).content.decode()
        assert "1 visit kept for" in " ".join(page.split()), asked
        assert "Piet Passant" in page and "Checked in" in page
    download = web.get("/desk/visitor-data/", {"q": "Piet Passant", "format": "json"})
    kept = json.loads(download.content)
    assert download["Content-Disposition"].startswith("attachment")
    [visit] = kept["visits"]
    assert visit["phone"] == "+31612345678" and visit["kept_until"].startswith("2027-02-22")
    api = ApiClient(ApiToken.issue(host, "privacy")[1])
    contact = api.get("/api/v1/desk/visitor-data", q="linda@bakkerco.example").json()
    assert contact["visits"][0]["a_contact"] and contact["visits"][0]["kept_until"] is None
    assert api.get("/api/v1/desk/visitor-data", q="x").status_code == 422
    nobody = signed_in(owner).get("/desk/visitor-data/", {"q": "Nobody Here"}).content.decode()
    assert "0 visits kept for" in " ".join(nobody.split())
    desk_token = ApiClient(ApiToken.issue(reception, "desk")[1])
    assert desk_token.get("/api/v1/desk/visitor-data", q="Piet Passant").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_verbind_desk_prints_what_is_kept_about_a_visitor(desk_team, workspace, owner, capsys):
    host, _backup, reception = desk_team
    desk.walk_in(workspace, host, reception.user, name="Piet Passant")
    call_command("desk", "--member", owner.email, "--visitor", "Piet Passant")
    printed = json.loads(capsys.readouterr().out)
    assert printed["visits"][0]["visitor"] == "Piet Passant"
    with pytest.raises(CommandError, match="name, e-mail address or phone number"):
        call_command("desk", "--member", owner.email, "--visitor", " ")


@time_machine.travel(NOW, tick=False)
def test_the_desk_settings_change_on_the_web_and_the_walk_ins_go_sooner(
    desk_team, workspace, owner, colleague
):
    host, _backup, reception = desk_team
    stranger = desk.walk_in(workspace, host, reception.user, name="Piet Passant")
    web = signed_in(owner)
    refused = web.post("/desk/settings/", {"answer_minutes": 0, "keep_days": 30})
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.content.decode()
    web.post("/desk/settings/", {"answer_minutes": 10, "keep_days": 30})
    found = DeskSettings.of(workspace)
    assert (found.answer_within, found.keep_walk_ins) == (timedelta(minutes=10), timedelta(days=30))
    Worker().run_pass(now=NOW + timedelta(days=30, minutes=1))
    assert not Visit.objects.filter(pk=stranger.pk).exists()
    assert signed_in(colleague).get("/desk/settings/").status_code == 403  # a member may not
    api = ApiClient(ApiToken.issue(host, "settings")[1])
    changed = api.patch("/api/v1/desk/settings", {"answer_minutes": 3, "keep_days": 365})
    assert changed.json() == {"answer_minutes": 3, "keep_days": 365}
    assert api.patch("/api/v1/desk/settings", {"answer_minutes": 61, "keep_days": 1}).status_code == 422
