"""Registering, pausing and resuming webhook endpoints: the rules, for web, API and CLI."""

from __future__ import annotations

import socket
import urllib.parse

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from verbind.hooks.models import Delivery, DeliveryState, Endpoint
from verbind.lib.addresses import PrivateAddress, resolve_public
from verbind.lib.events import EVENTS
from verbind.lib.refusals import Invalid

MOST = 20  # endpoints per workspace


class EndpointInvalid(Invalid):
    code = "webhook"


def check_url(url: str) -> str:
    """An https:// address outside the server's own network (plain http only where the
    operator allows private addresses, for a receiver on the same machine)."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    private_ok = settings.WEBHOOK_PRIVATE_ADDRESSES
    schemes = ("https", "http") if private_ok else ("https",)
    if parts is None or parts.scheme not in schemes or not parts.hostname:
        raise EndpointInvalid(_("“%(url)s” is not an https:// address.") % {"url": url})
    if not private_ok:
        try:
            resolve_public(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
        except PrivateAddress:
            raise EndpointInvalid(
                _(
                    "%(host)s is an address inside this server's own network; "
                    "Verbind does not send webhooks there."
                )
                % {"host": parts.hostname}
            ) from None
        except (OSError, UnicodeError):
            raise EndpointInvalid(
                _("the name %(host)s is not known") % {"host": parts.hostname}
            ) from None
    return url


def add(workspace, url: str, events: list[str], by=None) -> Endpoint:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise EndpointInvalid(
            _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
        )
    if not events:
        raise EndpointInvalid(_("Pick at least one event to be told of."))
    if Endpoint.objects.filter(workspace=workspace).count() >= MOST:
        raise EndpointInvalid(
            _("A workspace has at most %(most)d webhooks.") % {"most": MOST}
        )
    return Endpoint.objects.create(
        workspace=workspace, url=check_url(url), events=sorted(set(events)), created_by=by
    )


def resume(endpoint: Endpoint) -> Endpoint:
    """Paused after failing for a day: try again now, with what waited meanwhile."""
    Endpoint.objects.filter(pk=endpoint.pk).update(paused_at=None, failing_since=None)
    Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.WAITING).update(
        next_attempt_at=timezone.now(), claimed_until=None
    )
    endpoint.refresh_from_db()
    return endpoint


def recent(endpoint: Endpoint, count: int = 10):
    return endpoint.deliveries.order_by("-created_at", "-id")[:count]
