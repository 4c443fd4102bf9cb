"""The front desk: today's visits on a tablet, and the host's answer from any page."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.desk import privacy
from verbind.desk import visits as desk
from verbind.desk.models import Answer, DeskSettings, Visit
from verbind.lib.refusals import Invalid
from verbind.obligations.models import Appointment
from verbind.people.models import Person
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.models import Membership, Role
from verbind.workspaces.permissions import Action, guard


def _day(request) -> date:
    text = request.GET.get("day", "")
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        raise Invalid(
            _("“%(day)s” is not a date: write it like 2026-12-01.") % {"day": text[:20]}, "bad_day"
        ) from None


def _context(request, day=None):
    now = timezone.now()
    day = day or timezone.localdate()
    settings = DeskSettings.of(request.workspace)
    lines = desk.expected(request.workspace, day, now, timezone.get_current_timezone())
    for line in lines:
        late = line.visit.unanswered_for(now) if line.visit else None
        line.no_answer = late is not None and late >= settings.answer_within
        line.minutes_waiting = int(late.total_seconds() // 60) if late else 0
    colleagues = list(Membership.objects.filter(workspace=request.workspace).select_related("user"))
    for line in lines:
        # Who could receive a visitor instead: colleagues who meet people, not the host.
        line.others = [
            c for c in colleagues if c.role != Role.RECEPTION and line.host and c.pk != line.host.pk
        ]
    return {
        "lines": lines,
        "day": day,
        "today": day == timezone.localdate(),
        "colleagues": colleagues,
        "answer_within": int(settings.answer_within.total_seconds() // 60),
    }


@member_required
@guard(None)
def desk_page(request):
    return render(request, "web/desk/desk.html", _context(request))


@member_required
@guard(None)
def desk_day(request):
    """The list alone, polled by the desk page so hosts' answers show up live."""
    return render(request, "web/desk/_day.html", _context(request))


def _back(request, message: str):
    messages.success(request, message)
    return redirect("desk")


@member_required
@guard(Action.DESK)
@require_POST
def check_in(request, pk):
    meeting = scoped(request, Appointment, pk)
    visit = desk.check_in(meeting, request.user)
    return _back(
        request,
        _("%(visitor)s checked in; %(host)s has been told.")
        % {
            "visitor": visit.visitor_name,
            "host": meeting.owner.get_full_name() or meeting.owner.email,
        },
    )


@member_required
@guard(Action.DESK)
@require_POST
def walk_in(request):
    name = request.POST.get("name", "").strip()
    host = Membership.objects.filter(
        workspace=request.workspace, pk=_int(request.POST.get("host"))
    ).first()
    if host is None:
        raise Invalid(_("Choose whom they came for."), "host_needed")
    # A contact whose name matches exactly: the visit goes on their record, and is kept.
    person = (
        Person.objects.in_workspace(request.workspace).filter(name__iexact=name).first()
        if name
        else None
    )
    visit = desk.walk_in(
        request.workspace,
        host,
        request.user,
        name=name,
        person=person,
        phone=request.POST.get("phone", ""),
        email=request.POST.get("email", ""),
    )
    return _back(
        request,
        _("%(visitor)s checked in; %(host)s has been told.")
        % {"visitor": visit.visitor_name, "host": host.display_name},
    )


def _int(text) -> int:
    try:
        value = int(text)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**31 else 0


@member_required
@guard(Action.ANSWER_VISIT)
def answer_page(request, pk):
    """Where the host's mail and page notice lead: three answers, one tap each."""
    visit = scoped(request, Visit, pk)
    if request.method == "POST":
        reply = request.POST.get("answer", "")
        desk.answer(visit, reply, request.user)
        if visit.checked_out_at or visit.failed_at:
            messages.info(request, _("This visit had already ended; your answer is noted."))
        else:
            messages.success(
                request,
                _("The desk sees your answer: %(answer)s.") % {"answer": Answer(reply).label},
            )
        if request.htmx:
            return for_me(request)
        return redirect("desk_answer", pk=visit.pk)
    return render(request, "web/desk/answer.html", {"visit": visit, "answers": Answer.choices})


@member_required
@guard(Action.DESK)
@require_POST
def hand_over(request, pk):
    visit = scoped(request, Visit, pk)
    to = Membership.objects.filter(
        workspace=request.workspace, pk=_int(request.POST.get("to"))
    ).first()
    if to is None:
        raise Invalid(_("Choose the colleague who receives them."), "colleague_needed")
    desk.hand_over(visit, to, request.user)
    return _back(
        request,
        _("%(name)s has been asked to receive %(visitor)s.")
        % {"name": to.display_name, "visitor": visit.visitor_name},
    )


@member_required
@guard(Action.DESK)
@require_POST
def failed(request, pk):
    visit = scoped(request, Visit, pk)
    repair = desk.fail(visit, request.user, note_to_visitor=request.POST.get("note") == "1")
    owner = repair.owner.get_full_name() if repair else ""
    return _back(
        request,
        _(
            "Recorded: the visit failed on our side. %(name)s owes %(visitor)s an apology with new dates within a day."
        )
        % {"name": owner, "visitor": visit.visitor_name},
    )


@member_required
@guard(Action.DESK)
@require_POST
def check_out(request, pk):
    visit = scoped(request, Visit, pk)
    desk.check_out(visit, request.user)
    return _back(request, _("%(visitor)s checked out.") % {"visitor": visit.visitor_name})


@member_required
@guard(None)
def visitor_log(request):
    day = _day(request)
    visits = (
        Visit.objects.in_workspace(request.workspace)
        .filter(checked_in_at__date=day)
        .prefetch_related("events__by")
        .select_related("host", "handed_to")
    )
    return render(request, "web/desk/log.html", {"visits": visits, "day": day})


@member_required
@guard(None)
def for_me(request):
    """Visitors waiting for the signed-in member, shown on every page they have open."""
    return render(
        request,
        "web/desk/_for_me.html",
        {"waiting": desk.waiting_for(request.user, request.workspace), "answers": Answer.choices},
    )


class DeskSettingsForm(forms.Form):
    answer_minutes = forms.IntegerField(
        label=gettext_lazy("A host answers within (minutes)"),
        min_value=1,
        max_value=60,
        help_text=gettext_lazy("Then the desk is told, and the host's backup is asked."),
    )
    keep_days = forms.IntegerField(
        label=gettext_lazy("Keep walk-ins who are not contacts for (days)"),
        min_value=1,
        max_value=3650,
        help_text=gettext_lazy("Then their name and how to reach them are removed."),
    )


@member_required
@guard(Action.WORKSPACE_SETTINGS)
def desk_settings(request):
    found = DeskSettings.of(request.workspace)
    form = DeskSettingsForm(
        request.POST or None,
        initial={
            "answer_minutes": int(found.answer_within.total_seconds() // 60),
            "keep_days": found.keep_walk_ins.days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            privacy.change_settings(
                request.workspace,
                form.cleaned_data["answer_minutes"],
                form.cleaned_data["keep_days"],
            )
        except privacy.DeskInvalid as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("desk_settings")
    return render(request, "web/desk/settings.html", {"form": form})


@member_required
@guard(Action.EXPORT)
def visitor_data(request):
    """A visitor asks what is kept about them: every visit, and until when, to show or send."""
    asked = request.GET.get("q", "").strip()
    found = None
    if asked:
        try:
            found = privacy.kept_about(request.workspace, asked)
        except privacy.DeskInvalid as exc:
            messages.error(request, exc.message)
        else:
            if request.GET.get("format") == "json":
                response = JsonResponse(
                    found, json_dumps_params={"indent": 2, "ensure_ascii": False}
                )
                response["Content-Disposition"] = 'attachment; filename="visitor-data.json"'
                return response
    return render(request, "web/desk/visitor_data.html", {"asked": asked, "found": found})
