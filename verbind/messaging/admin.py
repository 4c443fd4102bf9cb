from django.contrib import admin

from verbind.messaging.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "purpose",
        "person",
        "member",
        "channel",
        "state",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["workspace", "state", "purpose", "channel"]
    search_fields = ["subject", "to_address", "message_id"]
    raw_id_fields = ["person", "repair", "appointment", "promise"]
    readonly_fields = [
        "idempotency_key",
        "message_id",
        "claimed_by",
        "claimed_until",
        "attempts",
        "last_error",
    ]
