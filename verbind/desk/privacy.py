"""What the desk keeps about a visitor, for a visitor who asks, and how long it keeps it.

Visits of walk-ins who are not contacts are forgotten after the workspace's period
(``steps.ForgetWalkIns``); a visitor who is a contact keeps their visits with them, as the
rest of their timeline. ``kept_about`` is the answer to "what do you keep about me?".
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.desk.models import DeskSettings, Visit
from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.lib.refusals import Invalid


class DeskInvalid(Invalid):
    code = "desk_settings"


def change_settings(workspace, answer_minutes: int, keep_days: int) -> DeskSettings:
    """How long a host may take to answer (1 to 60 minutes), how long walk-ins are kept
    (1 day to 10 years)."""
    if not 1 <= answer_minutes <= 60:
        raise DeskInvalid(_("A host answers within 1 to 60 minutes."))
    if not 1 <= keep_days <= 3650:
        raise DeskInvalid(_("Keep walk-ins for 1 day to 10 years."))
    found = DeskSettings.of(workspace)
    found.answer_within = timedelta(minutes=answer_minutes)
    found.keep_walk_ins = timedelta(days=keep_days)
    found.save()
    return found


def kept_about(workspace, asked: str) -> dict:
    """Every visit the desk keeps of a visitor named, mailed or numbered *asked*, with what
    happened at each and until when it is kept."""
    asked = " ".join(asked.split())
    if len(asked) < 2:
        raise DeskInvalid(_("Give the visitor's name, e-mail address or phone number."))
    match = Q(visitor_name__iexact=asked) | Q(visitor_email__iexact=asked)
    match |= Q(person__name__iexact=asked) | Q(person__email__iexact=asked)
    try:
        number = normalise_phone(asked)
    except BadPhoneNumber:
        number = ""
    if number:
        match |= Q(visitor_phone=number) | Q(person__phone=number)
    keep = DeskSettings.of(workspace).keep_walk_ins
    visits = (
        Visit.objects.filter(workspace=workspace)
        .filter(match)
        .select_related("person", "host", "handed_to")
        .prefetch_related("events")
        .order_by("expected_at", "id")
    )
    found = []
    for visit in visits:
        found.append(
            {
                "visitor": visit.visitor_name,
                "phone": visit.visitor_phone,
                "email": visit.visitor_email,
                "a_contact": visit.person_id is not None,
                "expected_at": visit.expected_at,
                "host": visit.host.get_full_name() if visit.host else "",
                "happened": [
                    {"at": e.at, "what": str(e.get_what_display()), "note": e.note}
                    for e in visit.events.all()
                ],
                "kept_until": (None if visit.person_id is not None else visit.expected_at + keep),
            }
        )
    return {
        "asked": asked,
        "asked_at": timezone.now(),
        "visits": found,
        "kept": _(
            "Walk-ins who are not contacts are kept for %(days)d days; a contact's visits "
            "stay on their timeline until they are removed."
        )
        % {"days": keep.days},
    }
