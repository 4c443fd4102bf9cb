from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.cadences import events
from verbind.cadences.chart import year_of
from verbind.cadences.health import person_health
from verbind.cadences.models import Cadence, Event, Nudge, NudgeState
from verbind.followthrough.models import Repair, RepairState
from verbind.followthrough.owed import with_what_is_owed
from verbind.followthrough.rules.repairs import repair_key
from verbind.lib.paging import CountingPaginator
from verbind.obligations.capture import capture
from verbind.obligations.timeline import timeline_for
from verbind.people.models import Person, Tag
from verbind.people.search import search_people
from verbind.web.forms import (
    AppointmentForm,
    InteractionForm,
    MetForm,
    OfferTimesForm,
    PersonForm,
    PromiseForm,
    page_language,
)
from verbind.web.views.common import member_required, scoped
from verbind.web.views.introductions import person_ledger
from verbind.workspaces.permissions import Action, allows, guard, guard_by

ACTIONS = {
    "interaction": InteractionForm,
    "promise": PromiseForm,
    "appointment": AppointmentForm,
    "offer": OfferTimesForm,
}
# The tabs above the four panels, in the same order.
ACTION_TABS = (
    ("interaction", gettext_lazy("Log contact")),
    ("promise", gettext_lazy("Promise")),
    ("appointment", gettext_lazy("Appointment")),
    ("offer", gettext_lazy("Offer times")),
)
PERSON_ACTIONS = {
    "interaction": Action.LOG_ENTRY,
    "promise": Action.ADD_OBLIGATION,
    "appointment": Action.ADD_OBLIGATION,
    "offer": Action.OFFER_TIMES,
}


@member_required
@guard(None)
def people_list(request):
    query = request.GET.get("q", "").strip()
    people = search_people(request.workspace, query)
    page = CountingPaginator(people, 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query}
    if request.htmx and request.htmx.target == "people-results":
        return render(request, "web/people/_results.html", context)
    return render(request, "web/people/list.html", context)


@member_required
@guard(Action.ADD_PERSON)
def person_new(request):
    return _person_form(request, None)


@member_required
@guard(Action.EDIT_PERSON)
def person_edit(request, pk):
    return _person_form(request, scoped(request, Person, pk))


def _person_form(request, person):
    form = PersonForm(request.POST or None, instance=person, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        messages.success(request, _("Saved %(name)s.") % {"name": person.name})
        return redirect(person)
    return render(request, "web/people/edit.html", {"form": form, "person": person})


def person_timeline(person):
    return with_what_is_owed(timeline_for(Person.objects.filter(pk=person.pk)), person)


def ids(action: str) -> str:
    """Each quick-action panel's fields get ids of their own: four panels on one page."""
    return f"{action}_%s"


def render_person_page(request, person, open_action: str = "", bound=None, status: int = 200):
    """The person page; *bound* is a quick-action form (name, form) to show with its errors."""
    forms = {
        name: form_class(
            person=person, member=request.user, workspace=request.workspace, auto_id=ids(name)
        )
        for name, form_class in ACTIONS.items()
        if allows(request.membership, PERSON_ACTIONS[name])
    }
    if bound is not None:
        forms[bound[0]] = bound[1]
    context = {
        "person": person,
        "timeline": person_timeline(person),
        "forms": forms,
        "action_tabs": [(name, label) for name, label in ACTION_TABS if name in forms],
        "open_action": open_action if open_action in ACTIONS else "",
        "ledger": person_ledger(person),
        **keeping_context(person, request.user),
    }
    return render(request, "web/people/detail.html", context, status=status)


def keeping_context(person, user) -> dict:
    """The member's cadence with them, their tags, a waiting decision, health and a year chart."""
    return {
        "cadence": Cadence.objects.filter(person=person, owner=user)
        .select_related("group__tag")
        .first(),
        "nudge": Nudge.objects.filter(
            person=person, state__in=[NudgeState.WAITING, NudgeState.DECIDE]
        ).first(),
        "all_tags": Tag.objects.in_workspace(person.workspace),
        "health": person_health(person),
        "year": year_of([person.pk]),
    }


def _back_to_the_desk(request, said: str, ok: bool = True):
    """Reception logs and records but does not read timelines: it goes back to the desk."""
    (messages.success if ok else messages.error)(request, said)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("desk")})
    return redirect("desk")


@member_required
@guard(Action.READ_TIMELINES)
def person_detail(request, pk):
    person = scoped(request, Person, pk)
    return render_person_page(request, person, open_action=request.GET.get("action", ""))


@member_required
@guard_by("action", PERSON_ACTIONS)
@require_POST
def person_action(request, pk, action):
    """Log an interaction, add a promise or an appointment from the person page."""
    person = scoped(request, Person, pk)
    form_class = ACTIONS.get(action)
    if form_class is None:
        return render(request, "web/404.html", status=404)
    form = form_class(
        request.POST,
        person=person,
        member=request.user,
        workspace=request.workspace,
        auto_id=ids(action),
    )
    saved = form.is_valid() and form.save() is not None
    if not allows(request.membership, Action.READ_TIMELINES):
        if saved:
            return _back_to_the_desk(request, _("Noted."))
        errors = [e for field in form.errors.values() for e in field]
        return _back_to_the_desk(request, errors[0] if errors else _("Not saved."), ok=False)
    if saved and action == "offer":  # the message with the link: to read, edit and send
        target = reverse("message", args=[form.message.pk])
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
    if saved:
        form = form_class(
            person=person, member=request.user, workspace=request.workspace, auto_id=ids(action)
        )
    if request.htmx:
        context = {
            "person": person,
            "name": action,
            "form": form,
            "saved": saved,
            "timeline": person_timeline(person) if saved else None,
        }
        return render(request, "web/people/_action_result.html", context)
    if saved:
        messages.success(request, _("Added to the timeline."))
        return redirect(person)
    return render_person_page(request, person, open_action=action, bound=(action, form), status=400)


def render_timeline(request, person, error: str = "", changed=None, undone=None):
    """The timeline after a change; for a meeting that just ended, what it started (a repair,
    with its draft) and a way to take a mistaken click back."""
    notice = after_the_change(changed, request.user) if changed is not None else None
    if not allows(request.membership, Action.READ_TIMELINES):
        if error:
            return _back_to_the_desk(request, error, ok=False)
        return _back_to_the_desk(request, (notice and notice["text"]) or _("Noted."))
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif notice and notice["repair"]:
            messages.info(request, notice["text"])
        return redirect(person)
    context = {
        "person": person,
        "timeline": person_timeline(person),
        "error": error,
        "notice": notice,
        "undone": undone,
    }
    return render(request, "web/people/_timeline.html", context)


def after_the_change(appointment, user) -> dict:
    repair = (
        Repair.objects.filter(lapse__appointment=appointment, state=RepairState.OPEN)
        .select_related("owner")
        .first()
    )
    text = ""
    if repair is not None:
        deadline = formats.date_format(timezone.localtime(repair.deadline_at), "D j F, H:i")
        text = _("Repair opened: apologise to %(name)s by %(deadline)s.") % {
            "name": appointment.person.name,
            "deadline": deadline,
        }
        if repair.owner_id != user.pk:
            text += " " + _("%(who)s stands in for you and has it on their agenda.") % {
                "who": repair.owner.get_full_name() or repair.owner.email
            }
    return {
        "appointment": appointment,
        "repair": repair,
        "text": text,
        "draft_key": repair_key(appointment) if repair and repair.owner_id == user.pk else "",
        "can_undo": appointment.can_undo(user),
    }


FOLLOW_UP = {"": None, "1": 1, "3": 3, "7": 7}


class QuickAddForm(MetForm):
    follow_up = forms.ChoiceField(
        label=gettext_lazy("Follow up"),
        choices=[
            ("", gettext_lazy("no")),
            ("1", gettext_lazy("tomorrow")),
            ("3", gettext_lazy("in 3 days")),
            ("7", gettext_lazy("next week")),
        ],
        required=False,
        widget=forms.RadioSelect,
        initial="3",
    )
    event = forms.TypedChoiceField(
        label=gettext_lazy("Met at"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "At an event: it gets a “nice to meet you” within two days instead."
        ),
    )

    def __init__(self, *args, workspace=None, **kwargs):
        super().__init__(*args, **kwargs)
        recent = Event.objects.in_workspace(workspace).filter(
            held_on__gte=timezone.localdate() - timedelta(days=14)
        )[:10]
        self.fields["event"].choices = [("", "—")] + [(e.pk, e.name) for e in recent]
        if not recent:
            del self.fields["event"]


@member_required
@guard(Action.ADD_PERSON)
def quick_add(request):
    """Met someone? A name, a line, how to reach them, and when to follow up: saved, then back."""
    initial = {"event": request.GET.get("event")} if request.GET.get("event") else None
    form = QuickAddForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        event = data.get("event") and Event.objects.in_workspace(request.workspace).get(
            pk=data["event"]
        )
        days = FOLLOW_UP.get(data["follow_up"])
        due = None
        if days:
            day = timezone.localdate() + timedelta(days=days)
            due = datetime.combine(day, time(17, 0), request.membership.zone)
        try:
            if event:
                person = events.met_someone(
                    event,
                    request.user,
                    name=data["name"],
                    reach=data["reach"],
                    talked=data["talked"],
                    language=page_language(),
                )
            else:
                person = capture(
                    request.workspace,
                    request.user,
                    name=data["name"],
                    reach=data["reach"],
                    talked=data["talked"],
                    follow_up_at=due,
                    language=page_language(),
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            said = (
                _("%(name)s was known already: added to their timeline. Next one?")
                if person.was_known
                else _("Saved %(name)s. Next one?")
            )
            messages.success(request, said % {"name": person.name})
            if event:  # the next person is probably from the same evening
                return redirect(reverse("quick_add") + f"?event={event.pk}")
            return redirect("quick_add")
    return render(request, "web/people/quick.html", {"form": form})
