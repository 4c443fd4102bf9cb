from django.contrib import admin

from verbind.followthrough.models import AgendaMark, Lapse, Repair, RuleSettings


@admin.register(RuleSettings)
class RuleSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "workspace",
        "promise_due_soon_hours",
        "repair_deadline_hours",
        "new_dates_within_hours",
        "thank_you_within_hours",
    ]


@admin.register(Lapse)
class LapseAdmin(admin.ModelAdmin):
    list_display = ["kind", "person", "owner", "occurred_at", "workspace"]
    list_filter = ["workspace", "kind"]
    raw_id_fields = ["appointment", "promise", "person"]

    def has_change_permission(self, request, obj=None):
        return False  # a lapse is a record of what happened: never edited


@admin.register(Repair)
class RepairAdmin(admin.ModelAdmin):
    list_display = [
        "lapse",
        "owner",
        "state",
        "opened_at",
        "deadline_at",
        "closed_at",
        "escalated_to",
    ]
    list_filter = ["workspace", "state", "closed_because"]
    raw_id_fields = ["lapse", "person"]


@admin.register(AgendaMark)
class AgendaMarkAdmin(admin.ModelAdmin):
    list_display = ["key", "member", "kind", "until", "reason"]
