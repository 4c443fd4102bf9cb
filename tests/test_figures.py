"""Today's figures count what the lists behind them show, for a member and for the team."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from verbind.bench.dataset import Generator
from verbind.followthrough.figures import behind, figures_for
from verbind.followthrough.models import Repair, RepairState
from verbind.workspaces.models import Membership


def test_each_figure_counts_the_repairs_its_list_shows(db):
    workspace = Generator(0.002).build()
    # Some repairs closed after a day, one escalated to a colleague: every branch counts.
    repairs = list(Repair.objects.filter(workspace=workspace).order_by("id"))
    for repair in repairs[:5]:
        Repair.objects.filter(pk=repair.pk).update(
            state=RepairState.CLOSED, closed_at=repair.opened_at + timedelta(hours=20)
        )
    members = [m.user for m in Membership.objects.filter(workspace=workspace).order_by("id")[:4]]
    Repair.objects.filter(pk=repairs[6].pk).update(escalated_to=members[1])
    now = timezone.now()
    for member in members:
        mine = figures_for(workspace, member, now)
        assert mine.silent_drops == behind("silent_drops", workspace, member, now).count()
        assert mine.open_repairs == behind("open_repairs", workspace, member, now).count()
    team = figures_for(workspace, now=now)
    assert team.silent_drops == behind("team_silent_drops", workspace, None, now).count()
    assert team.repaired == 5
    assert team.median_hours_to_repair == 20
    assert team.open_repairs == Repair.objects.filter(
        workspace=workspace, state=RepairState.OPEN
    ).count()
