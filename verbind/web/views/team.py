"""The manager's view of the team: who owes what, and the last twelve months in two charts."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import formats, timezone

from verbind.followthrough.team import MANAGERS, at_risk, by_member, by_month
from verbind.web.views.common import member_required
from verbind.workspaces.permissions import guard


@member_required
@guard(None)  # reads only; who may see it is the page's own rule
def team_page(request):
    if request.membership.role not in MANAGERS:
        return render(request, "web/403.html", status=403)
    now = timezone.now()
    months = by_month(request.workspace, now)
    label = lambda m: formats.date_format(m.first, "M")  # noqa: E731
    return render(
        request,
        "web/team.html",
        {
            "lines": by_member(request.workspace, now),
            "risky": at_risk(request.workspace, now)[:20],
            "months": months,
            "drops": [(label(m), m.silent_drops) for m in months],
            "hours": [
                (
                    label(m),
                    round(m.median_hours_to_repair, 1)
                    if m.median_hours_to_repair is not None
                    else None,
                )
                for m in months
            ],
        },
    )
