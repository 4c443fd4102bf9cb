"""The webhooks' worker step: the oldest due delivery of an endpoint that is not paused."""

from __future__ import annotations

from django.db.models import Q

from verbind.hooks.delivering import claim, deliver
from verbind.hooks.models import Delivery, DeliveryState
from verbind.lib.steps import RowStep


class DeliverWebhooks(RowStep):
    name = "handle_one_webhook"
    order = 85

    def due(self, now):
        return (
            Delivery.objects.filter(
                state=DeliveryState.WAITING,
                next_attempt_at__lte=now,
                endpoint__paused_at__isnull=True,
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .select_related("endpoint")
            .order_by("next_attempt_at", "id")
        )

    def handle(self, delivery, now):
        if claim(delivery, now):
            deliver(delivery, now)


STEPS = [DeliverWebhooks]
