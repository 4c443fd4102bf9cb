"""Today: the member's agenda, and the one-click actions on it."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.cadences.cold import going_cold
from verbind.demo.stories import tour
from verbind.followthrough import actions
from verbind.followthrough.agenda import agenda_for, sections
from verbind.followthrough.figures import behind, figures_for
from verbind.obligations.models import TransitionRefused
from verbind.web.checklist import first_steps
from verbind.web.forms import DateTimeLocalInput
from verbind.web.kept import kept
from verbind.web.views.common import member_required
from verbind.workspaces.permissions import Action, guard


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(label=gettext_lazy("Remind me again"), widget=DateTimeLocalInput())
    reason = forms.CharField(label=gettext_lazy("Why it can wait"), max_length=300)


def _snooze_initial():
    tomorrow = timezone.localtime() + timedelta(days=1)
    return {"until": tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)}


WELCOME_SEEN = "verbind_welcome_seen"


def _shown(item) -> str:
    """All that an item's entry on Today shows: its cached fragment is used while this holds."""
    person, context = item.person, item.context
    organisation = person.organisation
    last, waiting = context.get("last_interaction"), context.get("waiting_message")
    others = [
        (o._meta.model_name, o.pk, getattr(o, "what", ""), getattr(o, "due_at", None))
        + (getattr(o, "title", ""), getattr(o, "starts_at", None))
        for o in context.get("other_open", [])
    ]
    return repr(
        (
            item.key,
            item.rule,
            str(item.why),
            item.due_by.replace(second=0, microsecond=0),  # shown to the minute
            item.urgency,
            person.pk,
            person.name,
            organisation.name if organisation else None,
            item.repair.escalated_at if item.repair else None,
            (last.pk, last.kind, last.occurred_at, last.notes) if last else None,
            (waiting.pk, waiting.state) if waiting else None,
            others,
            item.url,
            item.link,
            str(item.link_text),
            item.actions,
        )
    )


def _page_salt(request, snooze_initial) -> str:
    """What every entry on the page shares: the reader's language, zone, form token and the
    snooze form's suggestion. A cached entry holds a form token, so it is the reader's own."""
    get_token(request)
    secret = request.META.get("CSRF_COOKIE", "")
    seen = (
        request.user.pk,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        snooze_initial["until"].isoformat(),
        secret,
    )
    return hashlib.sha256(repr(seen).encode()).hexdigest()


@member_required
@guard(None)
def today(request):
    initial = _snooze_initial()
    salt = _page_salt(request, initial)
    show_tour = not request.session.get(WELCOME_SEEN)
    content = kept(
        request,
        ("today", request.membership.pk, salt, show_tour),
        lambda: render_to_string(
            "web/today_content.html", _content(request, initial, salt, show_tour), request
        ),
    )
    return render(request, "web/today.html", {"content": mark_safe(content)})  # noqa: S308


def _content(request, initial, salt: str, show_tour: bool) -> dict:
    items = agenda_for(request.membership)
    for item in items:
        item.shown = _shown(item)
    # The whole list is kept too: one look-up while nothing on it changed.
    all_shown = hashlib.sha256("\n".join(item.shown for item in items).encode()).hexdigest()
    return {
        "sections": sections(items),
        "count": len(items),
        "mine": figures_for(request.workspace, request.user),
        "team": figures_for(request.workspace),
        "snooze_form": SnoozeForm(initial=initial),
        "page_salt": salt,
        "all_shown": all_shown,
        "tour": tour(request.workspace) if show_tour else [],
        # Only a workspace without people has first steps, and an agenda means people.
        "first_steps": [] if items else first_steps(request.membership),
        "cold": going_cold(request.membership, limit=5),
    }


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def welcome_seen(request):
    request.session[WELCOME_SEEN] = True
    return redirect("home")


FIGURES = {
    "silent_drops": (
        gettext_lazy("Your silent drops"),
        gettext_lazy(
            "Repairs whose deadline passed before the other side heard anything from you. "
            "The one figure that should stay at zero."
        ),
    ),
    "open_repairs": (
        gettext_lazy("Your open repairs"),
        gettext_lazy(
            "Lapses on our side still owed an apology with a next step: yours, and those "
            "you stand in for."
        ),
    ),
    "team_silent_drops": (
        gettext_lazy("The team's silent drops"),
        gettext_lazy("Silent drops of everyone in this workspace, in the last 90 days."),
    ),
}


@member_required
@guard(None)
def figure(request, name):
    if name not in FIGURES:
        return render(request, "web/404.html", status=404)
    title, meaning = FIGURES[name]
    repairs = behind(name, request.workspace, request.user)[:200]
    return render(
        request,
        "web/figure.html",
        {"title": title, "meaning": meaning, "repairs": repairs},
    )


@member_required
@guard(Action.OWN_AGENDA)
@require_POST
def act(request, key, action):
    item = actions.find_item(request.membership, key)
    if item is None:
        messages.error(request, _("That item is no longer on your agenda."))
        return redirect("home")
    try:
        if action == "draft":
            message = actions.draft(request.membership, item)
            return redirect("message", message.pk)
        if action == "snooze":
            form = SnoozeForm(request.POST)
            if not form.is_valid():
                errors = "; ".join(e for field in form.errors.values() for e in field)
                raise actions.ActionRefused(errors)
            actions.snooze(
                request.membership, item, form.cleaned_data["until"], form.cleaned_data["reason"]
            )
            messages.success(request, _("Snoozed. It comes back when you asked."))
        elif action == "answered":
            actions.answered(request.membership, item, request.POST.get("note", ""))
            messages.success(request, _("Recorded. The repair is closed."))
        elif action == "release":
            actions.release(request.membership, item, request.POST.get("note", ""))
            messages.success(request, _("Released by agreement."))
        elif action == "kept":
            actions.kept(request.membership, item)
            messages.success(request, _("Promise kept. Well done."))
        elif action == "done":
            actions.done(request.membership, item)
            messages.success(request, _("Done."))
        else:
            raise actions.ActionRefused(_("That cannot be done with this item."))
    except (actions.ActionRefused, TransitionRefused) as exc:
        messages.error(request, exc.message)
    return redirect("home")
