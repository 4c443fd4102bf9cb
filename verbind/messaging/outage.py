"""When the mail server is down: messages wait in their place, and people are told.

An outage is the server's, not a message's: a refused or lost connection, a
timeout, a 421 or a refused login. While it lasts, no message uses up an
attempt and none fails; the worker tries the server again now and then
(30 seconds after it went down, then 1, 2, 4 and at most every 5 minutes), and
the Outbox page and ``verbind worker`` say so. When a message goes through again
the outage ends, the waiting messages go out oldest first, and after a long
outage (``VERBIND_SMTP_OUTAGE_NOTICE_MINUTES``) the owners and managers of each
workspace whose messages waited get one mail saying it is over.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from verbind.messaging import keys
from verbind.messaging.drafts import local_text, render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Channel, MailOutage, OutboxMessage, Purpose, State
from verbind.workspaces.models import Membership, Role

log = logging.getLogger("verbind.worker")


def try_again_after(tries: int) -> timedelta:
    """30 s, 1 min, 2, 4, then every 5 minutes."""
    return timedelta(seconds=30 * 2 ** min(max(tries - 1, 0), 4)) if tries < 5 else timedelta(minutes=5)


def current() -> MailOutage | None:
    """The outage going on now, if any."""
    return MailOutage.objects.filter(ended_at__isnull=True).order_by("started_at", "id").first()


def server_down(now: datetime, reason: str) -> MailOutage:
    """The server could not be reached again: open an outage, or note one more try."""
    outage = current()
    if outage is None:
        log.warning("the mail server is down: %s; messages wait until it is back", reason)
        return MailOutage.objects.create(
            started_at=now, last_error=reason, tries=1, next_try_at=now + try_again_after(1)
        )
    outage.tries += 1
    outage.last_error = reason
    outage.next_try_at = now + try_again_after(outage.tries)
    outage.save(update_fields=["tries", "last_error", "next_try_at"])
    return outage


def server_up(now: datetime) -> MailOutage | None:
    """A message went through: end the outage (if one was going on); returns the one that ended."""
    outage = current()
    if outage is None:
        return None
    # Compare-and-set: with several workers, one ends it and tells people.
    if not MailOutage.objects.filter(pk=outage.pk, ended_at__isnull=True).update(ended_at=now):
        return None
    outage.ended_at = now
    log.warning("the mail server is back after %s; sending what waited", outage.duration)
    if outage.duration >= timedelta(minutes=settings.SMTP_OUTAGE_NOTICE_MINUTES):
        tell(outage)
    return outage


def waited(outage: MailOutage) -> dict[int, int]:
    """Per workspace, how many of its e-mails waited during *outage*."""
    rows = (
        OutboxMessage.objects.filter(channel=Channel.EMAIL, created_at__lt=outage.ended_at)
        .filter(
            Q(state__in=[State.QUEUED, State.SENDING])
            | Q(state=State.SENT, sent_at__gte=outage.started_at)
        )
        .exclude(purpose=Purpose.NOTICE)
        .values("workspace_id")
        .annotate(n=Count("id"))
    )
    return {row["workspace_id"]: row["n"] for row in rows}


def tell(outage: MailOutage) -> int:
    """Mail the owners and managers of each workspace whose messages waited; once per outage."""
    if not MailOutage.objects.filter(pk=outage.pk, told_at__isnull=True).update(
        told_at=outage.ended_at
    ):
        return 0
    told = 0
    counts = waited(outage)
    heads = Membership.objects.filter(
        workspace_id__in=counts, role__in=[Role.OWNER, Role.MANAGER]
    ).select_related("user")
    for membership in heads:
        language, zone = membership.language, membership.zone
        subject, body = render(
            "outage",
            language,
            {
                "first_name": membership.user.first_name or membership.user.email,
                "since": local_text(outage.started_at, language, zone),
                "until": local_text(outage.ended_at, language, zone),
                "waiting": counts[membership.workspace_id],
                "error": outage.last_error,
                "url": site_url("/outbox/"),
            },
        )
        if mail_member(
            keys.outage_notice(outage.pk, membership.pk),
            membership.workspace_id,
            membership.user,
            Purpose.NOTICE,
            language,
            subject,
            body,
        ):
            told += 1
    return told
