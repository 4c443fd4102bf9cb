"""Changing the timeline: the state of appointments and promises, and logged entries."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verbind.obligations.models import Appointment, Promise, TransitionRefused
from verbind.people import entries
from verbind.people.models import Interaction
from verbind.web.forms import RescheduleForm
from verbind.web.views.common import member_required, scoped
from verbind.web.views.people import render_timeline
from verbind.workspaces.permissions import Action, guard, require


@member_required
@guard((Action.RECORD_MEETING, Action.CHANGE_OBLIGATION))
@require_POST
def appointment_transition(request, pk):
    return _transition(request, scoped(request, Appointment, pk))


@member_required
@guard(Action.CHANGE_OBLIGATION)
@require_POST
def promise_transition(request, pk):
    return _transition(request, scoped(request, Promise, pk))


def _transition(request, obligation):
    to = request.POST.get("to", "")
    require(request.membership, obligation.action_for(to), obligation)
    error = ""
    try:
        obligation.transition(to, by=request.user)
    except TransitionRefused as exc:
        error = exc.message
    changed = obligation if isinstance(obligation, Appointment) and not error else None
    return render_timeline(request, obligation.person, error, changed=changed)


@member_required
@guard(Action.UNDO)
@require_POST
def undo(request, pk):
    appointment = scoped(request, Appointment, pk)
    try:
        appointment.undo(by=request.user)
    except TransitionRefused as exc:
        return render_timeline(request, appointment.person, exc.message)
    if not request.htmx:
        messages.success(request, _("Undone."))
    return render_timeline(request, appointment.person, undone=appointment)


@member_required
@guard(Action.CHANGE_OBLIGATION)
@require_POST
def reschedule(request, pk):
    appointment = scoped(request, Appointment, pk)
    require(request.membership, Action.CHANGE_OBLIGATION, appointment)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return render_timeline(
            request, appointment.person, _("New time: %(error)s") % {"error": first}
        )
    starts_at = form.cleaned_data["starts_at"]
    duration = form.cleaned_data["duration"]
    ends_at = starts_at + timedelta(minutes=duration) if duration else None
    try:
        appointment.reschedule(starts_at, ends_at, by=request.user)
    except TransitionRefused as exc:
        return render_timeline(request, appointment.person, exc.message)
    except ValidationError as exc:
        return render_timeline(request, appointment.person, " ".join(exc.messages))
    return render_timeline(request, appointment.person)


class EntryForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "notes"]


@member_required
@guard(Action.EDIT_ENTRY)
@require_POST
def entry_edit(request, pk):
    interaction = scoped(request, Interaction, pk)
    form = EntryForm(request.POST, instance=Interaction.objects.get(pk=interaction.pk))
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return render_timeline(request, interaction.person, first)
    try:
        entries.edit(interaction, request.membership, **form.cleaned_data)
    except ValidationError as exc:
        return render_timeline(request, interaction.person, " ".join(exc.messages))
    return render_timeline(request, interaction.person)


@member_required
@guard(Action.DELETE_ENTRY)
@require_POST
def entry_delete(request, pk):
    interaction = scoped(request, Interaction, pk)
    person = interaction.person
    entries.delete(interaction, request.membership)
    return render_timeline(request, person)
