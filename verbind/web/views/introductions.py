"""Introductions, the ledger and asks/offers on the member's pages; the answer link for relations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from verbind.introductions import asks, flow, ledger
from verbind.introductions.models import (
    AskOffer,
    Direction,
    Help,
    Introduction,
    IntroState,
    Match,
    Question,
)
from verbind.lib.refusals import Refused
from verbind.people.models import Person
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.permissions import Action, guard, require


class IntroductionForm(forms.Form):
    a = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=gettext_lazy("Who is helped (A)"),
        help_text=gettext_lazy("Asked only after B said yes."),
    )
    b = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label=gettext_lazy("Who can help (B)"),
        help_text=gettext_lazy("Asked first, privately: a no is never passed on."),
    )
    why = forms.CharField(
        label=gettext_lazy("Why you two should meet"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    a_asked = forms.BooleanField(
        label=gettext_lazy("A asked me for this (no need to ask A again)"), required=False
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I know one of them declined an introduction lately; ask anyway"),
        required=False,
    )

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.in_workspace(workspace).order_by("name")
        self.fields["a"].queryset = people
        self.fields["b"].queryset = people


@member_required
@guard(Action.READ_TIMELINES)
def introduction_list(request):
    show = request.GET.get("show", "")
    intros = Introduction.objects.in_workspace(request.workspace).select_related("a", "b")
    if show != "all":
        intros = intros.exclude(state__in=[IntroState.DECLINED, IntroState.ENDED])
    return render(
        request,
        "web/introductions/list.html",
        {
            "introductions": intros[:200],
            "show": show,
            "ambassadors": ledger.ambassadors(request.workspace)[:50],
            "states": IntroState,
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
@guard(Action.INTRODUCE)
def introduction_new(request):
    initial = {k: request.GET[k] for k in ("a", "b") if request.GET.get(k, "").isdigit()}
    if request.GET.get("why"):
        initial["why"] = request.GET["why"][:1000]
    match = None
    match_id = request.GET.get("match", "")
    if match_id.isdigit():
        match = (
            Match.objects.in_workspace(request.workspace)
            .filter(pk=int(match_id))
            .select_related("ask", "offer")
            .first()
        )
        if match is not None and "why" not in initial:
            initial["why"] = f"“{match.ask.text}” — “{match.offer.text}”"
    form = IntroductionForm(request.POST or None, initial=initial, workspace=request.workspace)
    declined = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intro = flow.introduce(
                request.membership,
                data["a"],
                data["b"],
                data["why"],
                a_asked=data["a_asked"],
                confirm=data["confirm"],
            )
        except flow.RecentlyDeclined as exc:
            form.add_error("confirm", exc.message)
            declined = True
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            if match is not None:
                Match.objects.filter(pk=match.pk).update(state="introduced")
            messages.success(
                request,
                _("Read your question to %(name)s and send it when it reads right.")
                % {"name": intro.b.name},
            )
            return redirect(intro)
    return render(
        request,
        "web/introductions/new.html",
        {"form": form, "declined": declined},
        status=400 if request.method == "POST" else 200,
    )


@member_required
@guard(Action.READ_TIMELINES)
def introduction_detail(request, pk):
    intro = scoped(request, Introduction, pk)
    return render(
        request,
        "web/introductions/detail.html",
        {
            "intro": intro,
            "drafts": flow.drafts(intro),
            "messages_sent": flow.messages_of(intro).exclude(state="draft"),
            "events": intro.events.all(),
            "steps": _steps(intro),
        },
    )


def _steps(intro):
    """The path it takes, with where it stands now (a closed one shows how far it got)."""
    path = [
        IntroState.ASKED_B,
        IntroState.B_AGREED,
        IntroState.ASKED_A,
        IntroState.INTRODUCED,
        IntroState.MET,
        IntroState.HELPED,
    ]
    if intro.a_asked:
        path.remove(IntroState.ASKED_A)
    if intro.is_closed:
        got = [IntroState.ASKED_B]
        if intro.asked_a_at or intro.introduced_at or intro.declined_by == "a":
            got.append(IntroState.B_AGREED)
        if intro.asked_a_at:
            got.append(IntroState.ASKED_A)
        if intro.introduced_at:
            got.append(IntroState.INTRODUCED)
        return [{"label": s.label, "done": True, "current": False} for s in got] + [
            {"label": IntroState(intro.state).label, "done": False, "current": True}
        ]
    here = path.index(intro.state) if intro.state in path else 0
    return [
        {"label": state.label, "done": i < here, "current": i == here}
        for i, state in enumerate(path)
    ]


@member_required
@require_POST
@guard(Action.CHANGE_INTRODUCTION)
def introduction_act(request, pk, action):
    intro = scoped(request, Introduction, pk)
    require(request.membership, Action.CHANGE_INTRODUCTION, intro)
    try:
        if action == "send":
            count = flow.send_drafts(request.membership, intro)
            messages.success(
                request, _("Sent (%(count)d).") % {"count": count} if count > 1 else _("Sent.")
            )
        elif action == "end":
            flow.end(request.membership, intro)
            messages.success(request, _("Ended. Nobody is told why."))
        elif action == "wait":
            flow.keep_waiting(request.membership, intro)
            messages.success(request, _("You'll be asked again in a week."))
        else:
            return render(request, "web/404.html", status=404)
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect(intro)


# ── the ledger and asks/offers on a person's page ────────────────────────────


def person_ledger(person) -> dict:
    """What the person page shows of give and get (``ledger`` in its context)."""
    balance = ledger.balance_of(person)
    return {
        "balance": balance,
        "words": ledger.in_words(person, balance),
        "chart": ledger.chart(person),
        "entries": ledger.entries_of(person, 10),
        "asks": AskOffer.objects.filter(person=person, is_open=True),
        "kinds": Help.choices,
        "introductions": Introduction.objects.filter(workspace_id=person.workspace_id)
        .filter(a=person)
        .select_related("a", "b")[:10],
        "introduced_to": Introduction.objects.filter(workspace_id=person.workspace_id)
        .filter(b=person)
        .select_related("a", "b")[:10],
    }


@member_required
@require_POST
@guard(Action.LOG_ENTRY)
def person_ledger_add(request, pk):
    """One click from the timeline: they helped us (or we them) with this kind of help."""
    person = scoped(request, Person, pk)
    direction = request.POST.get("direction", "")
    kind = request.POST.get("kind", "")
    brought = None
    if request.POST.get("brought", "").isdigit():
        brought = (
            Person.objects.in_workspace(request.workspace)
            .filter(pk=int(request.POST["brought"]))
            .first()
        )
    try:
        ledger.record(
            request.workspace.pk,
            person,
            direction,
            kind,
            member=request.user,
            note=request.POST.get("note", ""),
            brought=brought,
        )
        label = dict(Help.choices)[kind]
        if direction == Direction.GOT:
            messages.success(
                request,
                _("Noted: %(name)s gave %(what)s.") % {"name": person.first_name, "what": label},
            )
        else:
            messages.success(
                request,
                _("Noted: you gave %(name)s %(what)s.")
                % {"name": person.first_name, "what": label},
            )
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect(f"{person.get_absolute_url()}#ledger")


@member_required
@require_POST
@guard(Action.KEEP_ASKS)
def person_ask_add(request, pk):
    person = scoped(request, Person, pk)
    try:
        asks.add(
            request.membership, person, request.POST.get("kind", ""), request.POST.get("text", "")
        )
        messages.success(request, _("Kept. Verbind suggests an introduction when someone fits."))
    except Refused as exc:
        messages.error(request, exc.message)
    return redirect(f"{person.get_absolute_url()}#asks")


@member_required
@require_POST
@guard(Action.KEEP_ASKS)
def ask_close(request, pk):
    item = scoped(request, AskOffer, pk)
    asks.close(item)
    messages.success(request, _("Closed."))
    return redirect(f"{item.person.get_absolute_url()}#asks")


# ── the private link a relation answers on ───────────────────────────────────


@require_http_methods(["GET", "POST"])
@guard(None)
def introduction_link(request, token):
    link = flow.find_link(token)
    if link is None:
        return render(request, "web/public/gone.html", {"reason": "unknown"}, status=404)
    intro = link.introduction
    person, other = intro.person(link.side), intro.other(link.side)
    language = person.language
    with translation.override(language):
        context = {
            "link": link,
            "intro": intro,
            "person": person,
            "other": other,
            "language": language,
            "member_name": intro.member.get_full_name() or intro.member.email,
            "consent": link.question == Question.CONSENT,
            "choices": [(c.value, _(c.label)) for c in link.choices],
        }
        if link.answered_at is not None or link.answered_elsewhere:
            return render(
                request,
                "web/public/intro_answered.html",
                {**context, "again": request.method == "POST"},
            )
        if link.expired:
            return render(
                request, "web/public/intro_answered.html", {**context, "expired": True}, status=410
            )
        error = ""
        if request.method == "POST":
            try:
                outcome = flow.answer(
                    link, request.POST.get("answer", ""), request.POST.get("note", "")
                )
            except Refused as exc:
                error = exc.message
            else:
                return render(
                    request,
                    "web/public/intro_answered.html",
                    {**context, "thanked": True, "after_end": outcome == "after_end"},
                )
        return render(
            request,
            "web/public/intro_question.html",
            {**context, "error": error},
            status=400 if error else 200,
        )
