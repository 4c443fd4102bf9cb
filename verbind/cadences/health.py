"""Relationship health per person and per organisation: parts that each say why.

The parts here: recency against the cadence, promises kept and broken, open repairs,
answered nudges and the trend of touches. Other apps add theirs through
``verbind.lib.health.register`` (the give/get ledger, for one) without this app
knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from verbind.cadences.models import Cadence, Nudge, NudgeState
from verbind.cadences.touches import last_touches
from verbind.followthrough.models import Lapse, Repair, RepairState
from verbind.lib import health as parts
from verbind.lib.health import GOOD, NONE, POOR, WATCH, Part, Scope
from verbind.obligations.models import Outcome, Promise
from verbind.people.models import Interaction

# Without a cadence of their own, this is how long a relation stays warm.
DEFAULT_WARM = timedelta(weeks=13)
YEAR = timedelta(days=365)
QUARTER = timedelta(days=91)
TONES = [POOR, WATCH, GOOD, NONE]


@dataclass
class Health:
    tone: str
    summary: str
    parts: list[Part] = field(default_factory=list)


def ago(delta: timedelta) -> str:
    days = max(delta.days, 0)
    if days < 14:
        return ngettext("%(n)s day ago", "%(n)s days ago", days) % {"n": days}
    if days < 70:
        return ngettext("%(n)s week ago", "%(n)s weeks ago", days // 7) % {"n": days // 7}
    return ngettext("%(n)s month ago", "%(n)s months ago", days // 30) % {"n": days // 30}


def _warm_for(scope: Scope) -> dict[int, timedelta]:
    every = dict(
        Cadence.objects.filter(person_id__in=scope.person_ids).values_list(
            "person_id", "every_weeks"
        )
    )
    return {
        pk: timedelta(weeks=every[pk]) if pk in every else DEFAULT_WARM for pk in scope.person_ids
    }


def recency(scope: Scope) -> Part | None:
    last = last_touches(scope.person_ids)
    warm_for = _warm_for(scope)
    title = _("Recency")
    if scope.single:
        pk = scope.person.pk
        has_cadence = warm_for[pk] != DEFAULT_WARM or Cadence.objects.filter(person_id=pk).exists()
        rhythm = (
            _("you keep in touch every %(n)s weeks") % {"n": warm_for[pk].days // 7}
            if has_cadence
            else _("no cadence set")
        )
        if pk not in last:
            return Part(
                "recency",
                title,
                POOR if has_cadence else NONE,
                _("Never in touch yet; %(rhythm)s.") % {"rhythm": rhythm},
                10,
            )
        since = scope.at - last[pk]
        tone = GOOD if since <= warm_for[pk] else WATCH if since <= warm_for[pk] * 1.5 else POOR
        return Part(
            "recency",
            title,
            tone,
            _("Last in touch %(ago)s; %(rhythm)s.") % {"ago": ago(since), "rhythm": rhythm},
            10,
        )
    if not scope.person_ids:
        return None
    warm = sum(1 for pk in scope.person_ids if pk in last and scope.at - last[pk] <= warm_for[pk])
    cold = len(scope.person_ids) - warm
    share = warm / len(scope.person_ids)
    tone = GOOD if share >= 0.75 else WATCH if share >= 0.4 else POOR
    words = ngettext(
        "%(warm)s of %(all)s people are in touch within their rhythm; %(cold)s has gone quiet.",
        "%(warm)s of %(all)s people are in touch within their rhythm; %(cold)s have gone quiet.",
        cold,
    ) % {"warm": warm, "all": len(scope.person_ids), "cold": cold}
    return Part("recency", title, tone, words, 10)


def promises(scope: Scope) -> Part | None:
    since = scope.at - YEAR
    counts = dict(
        Promise.objects.filter(
            person_id__in=scope.person_ids, due_at__gte=since, due_at__lte=scope.at
        )
        .exclude(outcome=Outcome.OPEN)
        .values("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    kept = counts.get(Outcome.KEPT, 0)
    meetings = Lapse.objects.filter(
        person_id__in=scope.person_ids, occurred_at__gte=since, appointment__isnull=False
    ).count()
    broken = counts.get(Outcome.BROKEN, 0) + meetings
    title = _("Promises")
    if not kept and not broken:
        return Part("promises", title, NONE, _("No promises came due in the last year."), 20)
    tone = GOOD if not broken else POOR if broken >= kept else WATCH
    words = _("In the last year: %(kept)s kept, %(broken)s broken on our side.") % {
        "kept": kept,
        "broken": broken,
    }
    return Part("promises", title, tone, words, 20)


def repairs(scope: Scope) -> Part | None:
    open_ = Repair.objects.filter(person_id__in=scope.person_ids, state=RepairState.OPEN).count()
    title = _("Repairs")
    if not open_:
        return Part("repairs", title, GOOD, _("No apology is owed."), 30)
    words = ngettext(
        "%(n)s repair is still owed: an apology with a next step.",
        "%(n)s repairs are still owed: apologies with a next step.",
        open_,
    ) % {"n": open_}
    return Part("repairs", title, POOR, words, 30)


def nudges(scope: Scope) -> Part | None:
    counts = dict(
        Nudge.objects.filter(person_id__in=scope.person_ids, started_at__gte=scope.at - YEAR)
        .values("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    if not counts:
        return None
    answered = counts.get(NudgeState.ANSWERED, 0)
    waiting = counts.get(NudgeState.WAITING, 0) + counts.get(NudgeState.DECIDE, 0)
    closed = counts.get(NudgeState.CLOSED, 0)
    tone = GOOD if answered and not closed else WATCH if waiting or answered else POOR
    words = _(
        "Patient nudges in the last year: %(answered)s answered, %(waiting)s still waiting, "
        "%(closed)s closed kindly."
    ) % {"answered": answered, "waiting": waiting, "closed": closed}
    return Part("nudges", _("Nudges"), tone, words, 40)


def trend(scope: Scope) -> Part | None:
    counts = Interaction.objects.filter(
        person_id__in=scope.person_ids,
        occurred_at__gt=scope.at - 2 * QUARTER,
        occurred_at__lte=scope.at,
    ).aggregate(
        recent=Count("id", filter=Q(occurred_at__gt=scope.at - QUARTER)),
        before=Count("id", filter=Q(occurred_at__lte=scope.at - QUARTER)),
    )
    recent, before = counts["recent"], counts["before"]
    title = _("Trend")
    if not recent and not before:
        return Part("trend", title, NONE, _("No contact in the last six months."), 50)
    if recent > before:
        tone, how = GOOD, _("More contact lately")
    elif recent == before:
        tone, how = GOOD, _("As much contact as before")
    elif recent:
        tone, how = WATCH, _("Less contact lately")
    else:
        tone, how = POOR, _("Contact has stopped")
    words = ngettext(
        "%(how)s: %(recent)s touch in the last three months, %(before)s in the three before.",
        "%(how)s: %(recent)s touches in the last three months, %(before)s in the three before.",
        recent,
    ) % {"how": how, "recent": recent, "before": before}
    return Part("trend", title, tone, words, 50)


for _part in (recency, promises, repairs, nudges, trend):
    parts.register(_part)


def health(scope: Scope) -> Health:
    found = [p for p in (part(scope) for part in parts.PARTS) if p is not None]
    found.sort(key=lambda p: p.order)
    tones = [p.tone for p in found if p.tone != NONE]
    tone = POOR if POOR in tones else WATCH if WATCH in tones else GOOD if tones else NONE
    good = tones.count(GOOD)
    summary = {
        GOOD: _("Healthy: every part reads well."),
        WATCH: _("Worth some attention: %(good)s of %(all)s parts read well.")
        % {"good": good, "all": len(tones)},
        POOR: _("Needs care: %(good)s of %(all)s parts read well.")
        % {"good": good, "all": len(tones)},
        NONE: _("Too little known yet to say."),
    }[tone]
    return Health(tone, summary, found)


def person_health(person, at: datetime | None = None) -> Health:
    at = at or timezone.now()
    return health(Scope(person.workspace, [person.pk], at, person=person))


def organisation_health(organisation, at: datetime | None = None) -> Health:
    at = at or timezone.now()
    ids = list(organisation.people.values_list("pk", flat=True))
    return health(Scope(organisation.workspace, ids, at, organisation=organisation))
