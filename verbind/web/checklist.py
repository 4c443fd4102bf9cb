"""A new workspace's first steps, shown on Today until it has people to follow through with."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from verbind.people.models import Person
from verbind.scheduling.models import Availability, Calendar
from verbind.workspaces.permissions import Action, allows


def first_steps(membership) -> list[dict]:
    """Each step with whether it is done and where to do it (none once there are people)."""
    workspace = membership.workspace
    if Person.objects.in_workspace(workspace).exists():
        return []
    user = membership.user
    steps = [
        {
            "text": _("Your name and how you sign your messages"),
            "done": bool(user.first_name),
            "url": reverse("settings"),
        },
    ]
    if allows(membership, Action.IMPORT):
        steps.append(
            {
                "text": _("Import your contacts (vCard, LinkedIn, Google, Outlook)"),
                "done": False,
                "url": reverse("import"),
            }
        )
    return steps + [
        {
            "text": _("Connect a calendar, so nobody is offered a time you are busy"),
            "done": Calendar.objects.filter(membership=membership).exists(),
            "url": reverse("calendars"),
        },
        {
            "text": _("Set your working week"),
            "done": Availability.objects.filter(membership=membership).exists(),
            "url": reverse("calendars") + "#week",
        },
        {
            "text": _("Add a backup colleague, who stands in when you are away"),
            "done": membership.backup_id is not None,
            "url": reverse("settings"),
        },
    ]
