from django.contrib import admin

from verbind.people.models import ContactPoint, Interaction, Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "workspace"]
    list_filter = ["workspace"]
    search_fields = ["name"]


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    fields = ["kind", "value"]
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "workspace"]
    list_filter = ["workspace", "language"]
    search_fields = ["name", "email", "contact_points__value"]
    raw_id_fields = ["organisation"]
    inlines = [ContactPointInline]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "direction", "occurred_at", "workspace"]
    list_filter = ["workspace", "kind"]
    raw_id_fields = ["person"]
