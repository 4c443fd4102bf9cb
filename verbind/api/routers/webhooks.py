"""Webhooks: addresses told of what happens, each delivery signed (docs/api.md#webhooks)."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from verbind.api.answers import answers
from verbind.api.crud import Id, Input
from verbind.hooks import endpoints
from verbind.hooks.models import DeliveryState, Endpoint
from verbind.lib.events import EVENTS
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    created_at: datetime
    failing_since: datetime | None = Field(description="when its deliveries started failing")
    paused_at: datetime | None = Field(
        description="paused after failing for a day; resume it to try again"
    )


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="signs each delivery; shown only in this answer")


class WebhookIn(Input):
    url: str = Field(min_length=1, max_length=500, description="an https:// address")
    events: list[str] = Field(min_length=1, max_length=len(EVENTS), description="see /events")


class DeliveryOut(Schema):
    id: int
    event: str
    payload: dict
    state: DeliveryState
    attempts: int
    last_status: int | None = Field(description="the receiver's last answer (HTTP status)")
    last_error: str
    last_tried_at: datetime | None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None


class WebhookEventOut(Schema):
    event: str
    meaning: str


@router.get("/events", response=answers(list[WebhookEventOut]), summary="The events a webhook can be told of")
def list_events(request):
    return [{"event": name, "meaning": str(meaning)} for name, meaning in EVENTS.items()]


@router.get("", response=answers(list[WebhookOut], 403), summary="The workspace's webhooks")
@guard(Action.WORKSPACE_SETTINGS)
def list_webhooks(request):
    return list(Endpoint.objects.in_workspace(request.workspace))


@router.post(
    "",
    response=answers({201: NewWebhookOut}, 403, 413),
    summary="Tell an address of events",
    description="Refused (422) for an address that is not https:// or that leads into the "
    "server's own network. The answer holds the secret that signs each delivery, once.",
)
@guard(Action.WORKSPACE_SETTINGS)
def add_webhook(request, payload: WebhookIn):
    return 201, endpoints.add(request.workspace, payload.url, payload.events, by=request.user)


def _endpoint(request, webhook_id: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.in_workspace(request.workspace), pk=webhook_id)


@router.get(
    "/{int:webhook_id}/deliveries",
    response=answers(list[DeliveryOut], 403, 404),
    summary="Its last 50 deliveries and what the receiver answered",
)
@guard(Action.WORKSPACE_SETTINGS)
def list_deliveries(request, webhook_id: Id):
    return list(endpoints.recent(_endpoint(request, webhook_id), 50))


@router.post(
    "/{int:webhook_id}/resume",
    response=answers(WebhookOut, 403, 404),
    summary="Try a paused webhook again, with what waited meanwhile",
)
@guard(Action.WORKSPACE_SETTINGS)
def resume_webhook(request, webhook_id: Id):
    return endpoints.resume(_endpoint(request, webhook_id))


@router.delete(
    "/{int:webhook_id}", response=answers({204: None}, 403, 404), summary="Stop telling it"
)
@guard(Action.WORKSPACE_SETTINGS)
def delete_webhook(request, webhook_id: Id):
    _endpoint(request, webhook_id).delete()
    return 204, None
