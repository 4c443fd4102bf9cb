from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from verbind.cadences.chart import year_of
from verbind.cadences.health import organisation_health
from verbind.introductions.ledger import ambassadors
from verbind.obligations.timeline import timeline_for
from verbind.people.models import Organisation
from verbind.web.forms import OrganisationForm
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.permissions import Action, guard


@member_required
@guard(None)
def organisation_list(request):
    query = request.GET.get("q", "").strip()
    organisations = (
        Organisation.objects.in_workspace(request.workspace)
        .annotate(headcount=Count("people"))
        .order_by("name", "id")
    )
    if query:
        organisations = organisations.filter(name__icontains=query)
    return render(
        request, "web/organisations/list.html", {"organisations": organisations, "query": query}
    )


@member_required
@guard(Action.READ_TIMELINES)
def organisation_detail(request, pk):
    organisation = scoped(request, Organisation, pk)
    people = organisation.people.all()
    return render(
        request,
        "web/organisations/detail.html",
        {
            "organisation": organisation,
            "people": people,
            "timeline": timeline_for(people, limit=100),
            "ambassadors": ambassadors(request.workspace, organisation),
            "health": organisation_health(organisation),
            "year": year_of(list(people.values_list("pk", flat=True))),
        },
    )


@member_required
@guard(Action.ADD_PERSON)
def organisation_new(request):
    return _organisation_form(request, None)


@member_required
@guard(Action.EDIT_PERSON)
def organisation_edit(request, pk):
    return _organisation_form(request, scoped(request, Organisation, pk))


def _organisation_form(request, organisation):
    form = OrganisationForm(
        request.POST or None, instance=organisation, workspace=request.workspace
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(request, _("Saved %(name)s.") % {"name": organisation.name})
        return redirect(organisation)
    return render(
        request, "web/organisations/edit.html", {"form": form, "organisation": organisation}
    )
