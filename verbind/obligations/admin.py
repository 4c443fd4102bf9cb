from django.contrib import admin

from verbind.obligations.models import Appointment, Promise


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "owner", "starts_at", "status", "workspace"]
    list_filter = ["workspace", "status"]
    raw_id_fields = ["person", "participants", "successor"]


@admin.register(Promise)
class PromiseAdmin(admin.ModelAdmin):
    list_display = ["what", "person", "owner", "due_at", "status", "workspace"]
    list_filter = ["workspace", "status", "kind"]
    raw_id_fields = ["person"]
