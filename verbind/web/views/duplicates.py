"""Likely duplicates, merging two people into one, and undoing a merge."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verbind.people.duplicates import suggestions
from verbind.people.merging import MergeRefused, merge, undo
from verbind.people.models import Merge, Person
from verbind.web.edges import id_from
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.permissions import Action, guard


@member_required
@guard(None)
def duplicates_page(request):
    recent = (
        Merge.objects.in_workspace(request.workspace)
        .filter(undone_at__isnull=True)
        .select_related("kept")
        .order_by("-merged_at")[:10]
    )
    imported = {
        k: request.GET[k] for k in ("imported", "filled") if request.GET.get(k, "").isdigit()
    }
    return render(
        request,
        "web/duplicates.html",
        {"suggestions": suggestions(request.workspace), "recent": recent, "imported": imported},
    )


@member_required
@guard(Action.MERGE_PEOPLE)
@require_POST
def merge_people(request):
    keep, remove = _person(request, "keep"), _person(request, "remove")
    try:
        record = merge(keep, remove, by=request.user)
    except MergeRefused as exc:
        messages.error(request, exc.message)
        return redirect("duplicates")
    messages.success(
        request, _("Merged into %(name)s, with everything of both.") % {"name": keep.name}
    )
    request.session["last_merge"] = record.pk
    return redirect(keep)


def _person(request, name: str) -> Person:
    value = request.POST.get(name, "")
    return scoped(request, Person, id_from(value))


@member_required
@guard(Action.MERGE_PEOPLE)
@require_POST
def undo_merge(request, pk):
    record = get_object_or_404(Merge.objects.in_workspace(request.workspace), pk=pk)
    try:
        restored = undo(record)
    except MergeRefused as exc:
        messages.error(request, exc.message)
        return redirect("duplicates")
    messages.success(
        request, _("Undone: %(name)s is back, with their own history.") % {"name": restored.name}
    )
    return redirect("duplicates")
