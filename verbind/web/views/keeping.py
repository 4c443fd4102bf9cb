"""Keeping in touch: cadences, patient nudges, events, and a relation's health."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.cadences import cadence as cadences
from verbind.cadences import events, nudges
from verbind.cadences.cold import going_cold
from verbind.cadences.models import Cadence, CadenceSettings, Event, Nudge, NudgeState
from verbind.people.models import Person, Tag
from verbind.web.forms import MetForm, page_language
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.permissions import Action, allows, guard, guard_by, require


class CadenceForm(forms.Form):
    every_weeks = forms.IntegerField(
        label=gettext_lazy("Keep in touch every (weeks)"), min_value=1, max_value=104
    )


class TagCadenceForm(CadenceForm):
    tag = forms.CharField(
        label=gettext_lazy("Tag"),
        max_length=60,
        help_text=gettext_lazy("For example: club members, prospects, partners."),
    )
    field_order = ["tag", "every_weeks"]


class TagForm(forms.Form):
    tag = forms.CharField(label=gettext_lazy("Add a tag"), max_length=60)


class NudgeForm(forms.Form):
    about = forms.CharField(
        label=gettext_lazy("The decision that waits"),
        max_length=300,
        help_text=gettext_lazy(
            "Joining the club, a proposal, a reply. Mentioned lightly, never pushed."
        ),
    )


class EventForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Event"), max_length=200)
    held_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CadenceSettings
        fields = ["send_nudges_by_itself"]


def _refused(request, exc) -> None:
    messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))


@member_required
@guard((Action.READ_TIMELINES, Action.KEEP_IN_TOUCH))
def keeping_page(request):
    workspace = request.workspace
    if request.method == "POST":
        require(request.membership, Action.KEEP_IN_TOUCH)
    require(request.membership, Action.READ_TIMELINES)  # who is going cold, and why
    tag_form = TagCadenceForm(request.POST or None, auto_id="tagc_%s", prefix="tagc")
    event_form = EventForm(
        request.POST or None,
        auto_id="event_%s",
        prefix="event",
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST":
        try:
            if "tagc-tag" in request.POST and tag_form.is_valid():
                data = tag_form.cleaned_data
                cadences.for_tag(request.user, workspace, data["tag"], data["every_weeks"])
                messages.success(request, _("Everyone tagged “%(tag)s” now has a cadence.") % data)
                return redirect("keeping")
            if "event-name" in request.POST and event_form.is_valid():
                event = events.create(request.user, workspace, **event_form.cleaned_data)
                return redirect(event)
        except ValidationError as exc:
            _refused(request, exc)
        except cadences.CadenceInvalid as exc:
            _refused(request, exc)
    context = {
        "cold": going_cold(request.membership),
        "groups": Cadence.objects.in_workspace(workspace)
        .filter(tag__isnull=False)
        .select_related("tag")
        .order_by("tag__name"),
        "nudges": Nudge.objects.in_workspace(workspace)
        .filter(state__in=[NudgeState.WAITING, NudgeState.DECIDE])
        .select_related("person")
        .order_by("next_at", "id"),
        "events": Event.objects.in_workspace(workspace)[:20],
        "tag_form": tag_form
        if "tagc-tag" in request.POST
        else TagCadenceForm(auto_id="tagc_%s", prefix="tagc"),
        "event_form": event_form
        if "event-name" in request.POST
        else EventForm(
            auto_id="event_%s", prefix="event", initial={"held_on": timezone.localdate()}
        ),
        "settings_form": SettingsForm(instance=CadenceSettings.of(workspace), auto_id="set_%s"),
        "may_change_settings": allows(request.membership, Action.WORKSPACE_SETTINGS),
    }
    return render(request, "web/keeping/index.html", context)


@member_required
@require_POST
@guard(Action.WORKSPACE_SETTINGS)
def keeping_settings(request):
    form = SettingsForm(request.POST, instance=CadenceSettings.of(request.workspace))
    if form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
    return redirect("keeping")


@member_required
@require_POST
@guard(Action.CHANGE_KEEPING)
def stop_group(request, pk):
    cadence = scoped(request, Cadence, pk, tag__isnull=False)
    require(request.membership, Action.CHANGE_KEEPING, cadence)
    cadences.stop(cadence)
    messages.success(request, _("That cadence is stopped."))
    return redirect("keeping")


@member_required
@guard(Action.READ_TIMELINES)
def nudge_page(request, pk):
    nudge = scoped(request, Nudge, pk)
    steps = nudge.steps.select_related("message")
    return render(request, "web/keeping/nudge.html", {"nudge": nudge, "steps": steps})


@member_required
@require_POST
@guard(Action.CHANGE_KEEPING)
def nudge_decide(request, pk, action):
    nudge = scoped(request, Nudge, pk)
    require(request.membership, Action.CHANGE_KEEPING, nudge)
    try:
        if action == "wait":
            nudges.wait_longer(nudge)
            messages.success(request, _("Waiting a little longer; one more step comes later."))
        elif action == "close":
            draft = nudges.close_kindly(nudge, request.user)
            messages.success(request, _("Closed kindly. Here is a last friendly word to send."))
            return redirect("message", draft.pk)
        else:
            return render(request, "web/404.html", status=404)
    except nudges.NudgeRefused as exc:
        _refused(request, exc)
    return redirect(nudge)


@member_required
@require_POST
@guard_by("what", dict.fromkeys(("cadence", "stop", "tag", "untag", "nudge"), Action.KEEP_IN_TOUCH))
def person_keeping(request, pk, what):
    """From the person page: a cadence, a tag, a patient nudge."""
    person = scoped(request, Person, pk)
    try:
        if what == "cadence":
            form = CadenceForm(request.POST)
            if form.is_valid():
                cadences.for_person(request.user, person, form.cleaned_data["every_weeks"])
                messages.success(request, _("Cadence set."))
            else:
                messages.error(request, _("Keep in touch every 1 to 104 weeks."))
        elif what == "stop":
            Cadence.objects.filter(person=person, owner=request.user).delete()
            messages.success(
                request, _("No cadence for %(name)s any more.") % {"name": person.name}
            )
        elif what == "tag":
            form = TagForm(request.POST)
            if form.is_valid():
                cadences.tag_person(person, form.cleaned_data["tag"])
        elif what == "untag":
            tag = (
                Tag.objects.in_workspace(request.workspace)
                .filter(pk=request.POST.get("tag"))
                .first()
            )
            if tag is not None:
                cadences.untag_person(person, tag)
        elif what == "nudge":
            form = NudgeForm(request.POST)
            if form.is_valid():
                nudges.start(request.user, person, form.cleaned_data["about"])
                messages.success(
                    request, _("Started. The first warm step comes on your agenda in two weeks.")
                )
            else:
                messages.error(request, _("Say in a few words what they are deciding."))
        else:
            return render(request, "web/404.html", status=404)
    except (ValidationError, nudges.NudgeRefused, cadences.CadenceInvalid) as exc:
        _refused(request, exc)
    return redirect(person.get_absolute_url() + "#keeping")


@member_required
@guard((Action.READ_TIMELINES, Action.KEEP_IN_TOUCH))
def event_page(request, pk):
    """An event, and a form to capture the people met there in seconds (on a phone)."""
    if request.method == "POST":
        require(request.membership, Action.KEEP_IN_TOUCH)
    require(request.membership, Action.READ_TIMELINES)
    event = scoped(request, Event, pk)
    form = MetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = events.met_someone(
                event, request.user, language=page_language(), **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved %(name)s. Next one?") % {"name": person.name})
            return redirect(event)
    met = event.met.select_related("person")
    return render(request, "web/keeping/event.html", {"event": event, "form": form, "met": met})
