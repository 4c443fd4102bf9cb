"""Taking people out again: vCard 4.0 and CSV."""

from __future__ import annotations

import csv
import io
import json

import vobject
from django.core import serializers

from verbind.followthrough.models import AgendaMark, Lapse, Repair
from verbind.messaging.models import OutboxMessage
from verbind.obligations.models import Appointment, Promise
from verbind.people.models import ContactPoint, Interaction, Organisation, Person
from verbind.workspaces.models import Membership

CSV_COLUMNS = [
    "Name",
    "E-mail",
    "Phone",
    "Organisation",
    "Job title",
    "Language",
    "Met how",
    "Met on",
    "Notes",
]


def people_of(workspace):
    return (
        Person.objects.in_workspace(workspace)
        .select_related("organisation")
        .prefetch_related("contact_points")
        .order_by("name", "id")
    )


def vcard(people) -> str:
    """One vCard 4.0 per person (UTF-8; phones as tel: URIs, as 4.0 prefers).

    Every address and number goes out; the primary ones carry PREF=1.
    """
    cards = []
    for person in people:
        card = vobject.vCard()
        card.add("fn").value = person.name
        parts = person.name.rsplit(" ", 1)
        card.add("n").value = vobject.vcard.Name(
            family=parts[-1], given=parts[0] if len(parts) > 1 else ""
        )
        for n, address in enumerate(person.emails):
            email = card.add("email")
            email.value = address
            if n == 0 and len(person.emails) > 1:
                email.params["PREF"] = ["1"]
        for n, number in enumerate(person.phones):
            tel = card.add("tel")
            tel.value = f"tel:{number}"
            tel.params["VALUE"] = ["uri"]
            if n == 0 and len(person.phones) > 1:
                tel.params["PREF"] = ["1"]
        if person.organisation:
            card.add("org").value = [person.organisation.name]
        if person.job_title:
            card.add("title").value = person.job_title
        if person.notes:
            card.add("note").value = person.notes
        text = card.serialize().replace("VERSION:3.0", "VERSION:4.0")
        cards.append(text)
    return "".join(cards)


def csv_text(people) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in people:
        writer.writerow(
            [
                p.name,
                p.email,
                p.phone,
                p.organisation.name if p.organisation else "",
                p.job_title,
                p.language,
                p.met_how,
                p.met_on.isoformat() if p.met_on else "",
                p.notes,
            ]
        )
    return out.getvalue()


def workspace_json(workspace) -> dict:
    """One workspace, everything in it, as plain JSON (Django's serialisation, natural keys)."""
    querysets = [
        Membership.objects.filter(workspace=workspace),
        Organisation.objects.in_workspace(workspace),
        Person.objects.in_workspace(workspace),
        ContactPoint.objects.in_workspace(workspace),
        Interaction.objects.in_workspace(workspace),
        Appointment.objects.in_workspace(workspace),
        Promise.objects.in_workspace(workspace),
        Lapse.objects.in_workspace(workspace),
        Repair.objects.in_workspace(workspace),
        AgendaMark.objects.in_workspace(workspace),
        OutboxMessage.objects.in_workspace(workspace),
    ]
    objects = []
    for queryset in querysets:
        objects.extend(
            json.loads(
                serializers.serialize(
                    "json", queryset.order_by("pk"), use_natural_foreign_keys=True
                )
            )
        )
    return {"workspace": {"name": workspace.name, "slug": workspace.slug}, "objects": objects}
