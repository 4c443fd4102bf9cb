"""Sending one delivery: signed, to a checked address, within a few seconds; what came back
is kept on the delivery for Settings → Webhooks. An endpoint that keeps failing for a day is
paused and its workspace's owners are told; it never holds up other work."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from datetime import datetime, timedelta

from django.conf import settings

from verbind.hooks import signing
from verbind.hooks.models import Delivery, DeliveryState, Endpoint
from verbind.lib.addresses import PrivateAddress, PublicHTTPConnection, PublicHTTPSConnection
from verbind.lib.steps import backoff
from verbind.messaging.drafts import render
from verbind.messaging.enqueue import mail_member
from verbind.messaging.links import site_url
from verbind.messaging.models import Purpose
from verbind.workspaces.models import Membership, Role

log = logging.getLogger("verbind.worker")
LEASE = timedelta(minutes=2)  # a worker that dies mid-delivery lets it go again after this
PAUSE_AFTER = timedelta(hours=24)


def claim(delivery: Delivery, now: datetime) -> bool:
    """This worker, and no other, sends it now (another may take it after the lease)."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.WAITING, next_attempt_at__lte=now
        )
        .exclude(claimed_until__gt=now)
        .update(claimed_until=now + LEASE, attempts=delivery.attempts + 1)
    )


def post(endpoint: Endpoint, body: bytes, headers: dict) -> int:
    """POST *body*; the status code. Raises OSError (or PrivateAddress) when it cannot."""
    parts = urllib.parse.urlsplit(endpoint.url)
    private_ok = settings.WEBHOOK_PRIVATE_ADDRESSES
    if parts.scheme == "https":
        kind = http.client.HTTPSConnection if private_ok else PublicHTTPSConnection
    else:
        kind = http.client.HTTPConnection if private_ok else PublicHTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=settings.WEBHOOK_TIMEOUT)
    try:
        path = parts.path or "/"
        connection.request("POST", path + (f"?{parts.query}" if parts.query else ""), body, headers)
        answer = connection.getresponse()
        answer.read(10_000)  # what it says is not kept; only that it answered
        return answer.status
    finally:
        connection.close()


def deliver(delivery: Delivery, now: datetime) -> bool:
    """Send a claimed delivery; whether it landed (a 2xx answer)."""
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Verbind-Webhooks/1",
        "Verbind-Event": delivery.event,
        "Verbind-Delivery": delivery.payload["id"],
        signing.HEADER: signing.sign(endpoint.secret, body, int(now.timestamp())),
    }
    status, error = None, ""
    try:
        status = post(endpoint, body, headers)
    except PrivateAddress:
        error = "the address now leads into the server's own network"
    except (OSError, http.client.HTTPException) as exc:
        error = (str(exc) or type(exc).__name__)[:300]
    landed = status is not None and 200 <= status < 300
    if landed:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.DELIVERED, delivered_at=now, last_status=status, last_error="",
            last_tried_at=now, claimed_until=None,
        )
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return True
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=now + backoff(delivery.attempts + 1),
        last_status=status,
        last_error=error or f"answered {status}",
        last_tried_at=now,
        claimed_until=None,
    )
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    endpoint.refresh_from_db()
    if endpoint.failing_since and now - endpoint.failing_since >= PAUSE_AFTER:
        pause(endpoint, now)
    return False


def pause(endpoint: Endpoint, now: datetime) -> None:
    """Failing for a day: no more tries until someone resumes it; the owners hear of it once."""
    if not Endpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=True).update(paused_at=now):
        return
    owners = Membership.objects.filter(
        workspace_id=endpoint.workspace_id, role=Role.OWNER
    ).select_related("user")
    for owner in owners:
        subject, text = render(
            "webhook_paused",
            owner.language,
            {
                "first_name": owner.user.first_name or owner.display_name,
                "url": endpoint.url,
                "since": endpoint.failing_since,
                "settings": site_url("/settings/webhooks/"),
            },
        )
        mail_member(
            f"webhook:{endpoint.pk}:paused:{now.isoformat()}:{owner.user_id}",
            endpoint.workspace_id,
            owner.user,
            Purpose.WEBHOOK,
            owner.language,
            subject,
            text,
        )
    log.warning("webhook %s paused after failing since %s", endpoint.url, endpoint.failing_since)
