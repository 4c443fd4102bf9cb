from django.contrib import admin

from verbind.desk.models import DeskSettings, Visit, VisitEvent


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin):
    list_display = ("workspace", "answer_within", "keep_walk_ins")


class VisitEventInline(admin.TabularInline):
    model = VisitEvent
    extra = 0
    readonly_fields = ("at", "by", "what", "note")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("visitor_name", "host", "expected_at", "checked_in_at", "answer", "failed_at")
    list_filter = ("workspace",)
    inlines = [VisitEventInline]
