"""An event becomes a delivery for each endpoint that asked for it, in the event's own
transaction (``lib.events``): the worker then sends it, until it lands."""

from __future__ import annotations

import uuid

from django.dispatch import receiver
from django.utils import timezone

from verbind.hooks.models import Delivery, Endpoint
from verbind.lib.events import happened
from verbind.lib.prepared import Prepared
from verbind.workspaces.models import Workspace

# Asked for every event told (the worker tells two for each repair it opens): prepared once.
ENDPOINTS = Prepared(lambda v: Endpoint.objects.filter(workspace_id=v.workspace).order_by("pk"))


@receiver(happened)
def queue_deliveries(sender, workspace_id, event, data, **kwargs):
    endpoints = [e for e in ENDPOINTS.run(workspace=workspace_id) if event in e.events]
    if not endpoints:
        return
    now = timezone.now()
    slug = Workspace.objects.filter(pk=workspace_id).values_list("slug", flat=True).first()
    Delivery.objects.bulk_create(
        Delivery(
            workspace_id=workspace_id,
            endpoint=endpoint,
            event=event,
            payload={
                "id": str(uuid.uuid4()),
                "event": event,
                "occurred_at": now.isoformat(),
                "workspace": slug,
                "data": data,
            },
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
