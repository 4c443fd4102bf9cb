"""The manager's view of the team: who owes what, and the last twelve months in two charts."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from verbind.followthrough.team import (
    MANAGERS,
    MEMBER_FIGURES,
    at_risk,
    behind_member,
    by_member,
    by_month,
)
from verbind.web.views.common import member_required
from verbind.workspaces.models import Membership
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


def _figure_words(name: str, who: str) -> tuple[str, str]:
    words = {
        "open_repairs": (
            _("Open repairs of %(name)s"),
            _("Lapses still owed an apology with a next step: theirs, and those they stand in for."),
        ),
        "overdue_repairs": (
            _("Overdue repairs of %(name)s"),
            _("Open repairs whose deadline has passed."),
        ),
        "escalations": (
            _("Escalations waiting for %(name)s"),
            _("Colleagues' overdue repairs that came to them to step in."),
        ),
        "silent_drops": (
            _("Silent drops of %(name)s"),
            _("Repairs whose deadline passed before the other side heard anything, last 90 days."),
        ),
        "promises": (
            _("Promises overdue of %(name)s"),
            _("Promises still open after the time they were due."),
        ),
    }
    title, meaning = words[name]
    return title % {"name": who}, meaning


@member_required
@guard(None)  # reads only; managers and owners, like the team page
def team_figure(request, user_id, name):
    """The list behind one figure of a member's line on the team page."""
    if request.membership.role not in MANAGERS:
        return render(request, "web/403.html", status=403)
    if name not in MEMBER_FIGURES:
        return render(request, "web/404.html", status=404)
    member = get_object_or_404(
        Membership.objects.select_related("user"), workspace=request.workspace, user_id=user_id
    )
    title, meaning = _figure_words(name, member.display_name)
    found = list(behind_member(name, request.workspace, member.user)[:200])
    return render(
        request,
        "web/figure.html",
        {
            "title": title,
            "meaning": meaning,
            "repairs": [] if name == "promises" else found,
            "promises": found if name == "promises" else [],
            "back": "team",
        },
    )
