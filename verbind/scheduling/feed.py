"""A member's subscription feed: what calendar apps show of their Verbind obligations.

Appointments carry the same UID and SEQUENCE as the invites, so a calendar that
holds both shows one event. Promise deadlines appear as short events at the
moment they are due; kept or released ones drop out.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
from django.utils import timezone

from verbind.lib.tokens import hash_token
from verbind.obligations.models import Appointment, Promise
from verbind.scheduling.invites import GONE, PRODID, ensure_uid
from verbind.scheduling.models import CalendarFeed

PAST = timedelta(days=90)


def find(raw_token: str) -> CalendarFeed | None:
    if not raw_token or len(raw_token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("membership__user", "membership__workspace")
        .filter(token_hash=hash_token(raw_token), membership__user__is_active=True)
        .first()
    )
    if feed is not None:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    return feed


def feed_text(membership, now=None) -> str:
    now = now or timezone.now()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Verbind — {membership.workspace.name}")
    meetings = (
        Appointment.objects.filter(
            workspace_id=membership.workspace_id,
            owner_id=membership.user_id,
            starts_at__gte=now - PAST,
        )
        .exclude(status__in=GONE)
        .select_related("person")
    )
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", ensure_uid(meeting))
        event.add("sequence", meeting.ical_sequence)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("dtend", meeting.ends_at.astimezone(UTC))
        event.add("summary", f"{meeting.title} — {meeting.person.name}")
        if meeting.place:
            event.add("location", meeting.place)
        event.add("status", "TENTATIVE" if meeting.status == "proposed" else "CONFIRMED")
        cal.add_component(event)
    promises = Promise.objects.filter(
        workspace_id=membership.workspace_id,
        owner_id=membership.user_id,
        outcome="open",
    ).select_related("person")
    for promise in promises:
        event = icalendar.Event()
        event.add("uid", f"promise-{promise.pk}-{membership.workspace_id}@verbind")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", promise.due_at.astimezone(UTC))
        event.add("dtend", (promise.due_at + timedelta(minutes=15)).astimezone(UTC))
        event.add("summary", f"⏰ {promise.what} — {promise.person.name}")
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not make you busy
        cal.add_component(event)
    return cal.to_ical().decode()
