"""The first thirty seconds: the demo tells its stories, figures explain themselves and open
their lists, and a new workspace gets its first steps instead of "all caught up"."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from tests.conftest import make_appointment
from verbind.demo.stories import load_demo
from verbind.followthrough.models import Repair


def test_the_demo_welcomes_with_its_four_stories_each_with_a_show_me_link(web, owner):
    workspace, _new = load_demo(owner)
    web.post(reverse("switch_workspace"), {"workspace": workspace.pk})
    page = web.get("/").content.decode()
    assert "Welcome to the demo: four stories" in page
    assert page.count("Show me") == 4
    for title in ("The host who left on a trip", "The day off", "The patient chair"):
        assert title in page
    web.post(reverse("welcome_seen"))
    assert "Welcome to the demo" not in web.get("/").content.decode()


def test_a_new_workspace_gets_its_first_steps_not_all_caught_up(web, owner):
    page = web.get("/").content.decode()
    assert "Get started" in page and "Import your contacts" in page
    assert "All caught up" not in page


def test_each_figure_says_what_it_counts_and_opens_the_list_behind_it(web, person, owner):
    meeting = make_appointment(person, owner, starts_in=-timedelta(days=3))
    meeting.transition("missed_by_us", by=owner)
    Repair.objects.update(deadline_at=meeting.closed_at)  # long past: a silent drop
    page = web.get("/").content.decode()
    assert "lapses the other side heard nothing about in time" in page
    listed = web.get(reverse("figure", args=["silent_drops"])).content.decode()
    assert "Hans Verbeek" in listed and "Coffee at his office" in listed
    assert web.get(reverse("figure", args=["nonsense"])).status_code == 404


def test_open_repairs_count_the_ones_you_stand_in_for(person, owner, colleague, workspace):
    from verbind.followthrough.figures import figures_for
    from verbind.followthrough.steps import Escalations

    colleague.memberships.update(role="manager")
    meeting = make_appointment(person, owner, starts_in=-timedelta(days=3))
    meeting.transition("missed_by_us", by=owner)
    repair = Repair.objects.get()
    Escalations()(repair.deadline_at + timedelta(minutes=1))
    assert Repair.objects.get().escalated_to == colleague
    assert figures_for(workspace, colleague).open_repairs == 1
