"""The pages a relation opens from a private link: no sign-in, their own language and zone."""

from __future__ import annotations

import zoneinfo
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from verbind.lib.refusals import Refused
from verbind.lib.zones import find_zone
from verbind.scheduling.invites import calendar_text, ensure_uid, person_zone
from verbind.scheduling.models import ProposalState
from verbind.scheduling.proposals import (
    ask_again,
    book,
    cancel_booking,
    change_booking,
    decline,
    find,
    refresh_slots,
)
from verbind.web.edges import id_from
from verbind.web.forms import zone_names, zone_options
from verbind.web.kept import kept
from verbind.web.throttle import throttled
from verbind.workspaces.middleware import for_anyone
from verbind.workspaces.permissions import guard


def _zone(request, proposal):
    """Their zone where we know it, or the one they switched to on the page."""
    chosen = find_zone(request.GET.get("zone") or request.POST.get("zone", ""))
    if chosen and chosen in zone_names():
        return zoneinfo.ZoneInfo(chosen)
    return person_zone(proposal.person, proposal.host)


def add_to_calendar(meeting) -> dict[str, str]:
    """Links that put the meeting in the common web calendars (and the .ics for the rest)."""
    start, end = (
        meeting.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")),
        meeting.ends_at.astimezone(zoneinfo.ZoneInfo("UTC")),
    )
    google = urlencode(
        {
            "action": "TEMPLATE",
            "text": meeting.title,
            "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
            "location": meeting.place,
        }
    )
    outlook = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": meeting.title,
            "startdt": start.isoformat().replace("+00:00", "Z"),
            "enddt": end.isoformat().replace("+00:00", "Z"),
            "location": meeting.place,
        }
    )
    return {
        "google": f"https://calendar.google.com/calendar/render?{google}",
        "outlook": f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook}",
    }


def _booked(request, context, meeting):
    return render(
        request,
        "web/public/booked.html",
        {**context, "meeting": meeting, "calendars": add_to_calendar(meeting), "changeable": True},
    )


@guard(None)  # the relation's private link: the token is the key
@for_anyone
@require_http_methods(["GET", "POST"])
@throttled("link")
def proposal_page(request, token):
    if request.method == "POST":
        return _proposal_answer(request, token)
    # Opening the link again shows the same page while nothing was written.
    status, content = kept(
        request,
        ("link",),
        lambda: _plain(_proposal_answer(request, token)),
        keep=lambda answer: answer[0] in (200, 404, 410),
    )
    if status not in (200, 404, 410):  # not a page: the answer as it was
        return content
    return HttpResponse(content, status=status)


def _plain(response) -> tuple:
    """A page as its status and HTML, which can be kept; anything else as it is."""
    if response.status_code in (200, 404, 410) and not response.streaming:
        return response.status_code, response.content
    return response.status_code, response


def _proposal_answer(request, token):
    proposal = find(token)
    if proposal is None:
        # Nobody to take the language from: the page speaks the browser's (and says so in lang).
        context = {"reason": "unknown", "language": translation.get_language()}
        return render(request, "web/public/gone.html", context, status=404)
    language = proposal.person.language
    zone = _zone(request, proposal)
    with translation.override(language), timezone.override(zone):
        context = {
            "proposal": proposal,
            "host": proposal.host,
            "workspace": proposal.host.workspace,
            "language": language,
            "zone": str(zone),
            "zone_options": zone_options(),
            "token": token,
        }
        if proposal.state == ProposalState.BOOKED:
            return _answer_on_a_booking(request, proposal, context)
        if not proposal.is_open:
            reason = {ProposalState.OPEN: "expired", ProposalState.WITHDRAWN: "withdrawn"}.get(
                proposal.state, "used"
            )
            asked, error = False, ""
            if request.method == "POST" and "ask_again" in request.POST:
                try:
                    ask_again(proposal, request.POST.get("note", "").strip())
                    asked = True
                except Refused as exc:
                    error = exc.message
            return render(
                request,
                "web/public/gone.html",
                {**context, "reason": reason, "asked": asked, "error": error},
                status=200 if asked else 410,
            )
        error = ""
        if request.method == "POST":
            try:
                if "decline" in request.POST:
                    decline(
                        proposal,
                        request.POST.get("note", "").strip(),
                        request.POST.get("prefer", ""),
                    )
                    return render(request, "web/public/declined.html", context)
                slot = request.POST.get("slot", "")
                if not slot:
                    raise Refused(_("Pick one of the times first."))
                chosen = id_from(slot)
                return _booked(request, context, book(proposal, chosen))
            except Refused as exc:
                error = exc.message
                proposal.refresh_from_db()
                if proposal.state == ProposalState.BOOKED:  # a second click on "Book"
                    return _booked(request, context, proposal.booked)
                if proposal.is_open:
                    refresh_slots(proposal)  # the time just taken is gone; fresh ones instead
        slots = proposal.slots.filter(starts_at__gt=timezone.now())
        if not slots:  # every time offered has passed: as good as expired
            return render(
                request, "web/public/gone.html", {**context, "reason": "expired"}, status=410
            )
        return render(
            request,
            "web/public/proposal.html",
            {**context, "error": error, "slots": slots, "declining": "decline" in request.POST},
        )


def _took_place(meeting) -> bool:
    return meeting.ends_at <= timezone.now()


def _answer_on_a_booking(request, proposal, context):
    """The booked page: where and when, into their calendar, and a way to change or cancel.

    Once the meeting took place the link says only that: what was agreed (the place,
    who was there) is nobody's business who finds the link later."""
    meeting = proposal.booked
    if meeting is not None and _took_place(meeting):
        return render(request, "web/public/gone.html", {**context, "reason": "past"}, status=410)
    if request.method == "POST":
        try:
            if "change" in request.POST:
                _new, raw = change_booking(proposal)
                return redirect("proposal_public", token=raw)  # on the address they are on
            if "cancel" in request.POST:
                cancel_booking(proposal, request.POST.get("note", "").strip())
                meeting.refresh_from_db()
                return render(request, "web/public/cancelled.html", context)
        except Refused as exc:
            return _booked_with(request, context, meeting, exc.message)
    return _booked_with(request, context, meeting)


def _booked_with(request, context, meeting, error=""):
    changeable = meeting.status == "confirmed" and meeting.starts_at > timezone.now()
    return render(
        request,
        "web/public/booked.html",
        {
            **context,
            "meeting": meeting,
            "calendars": add_to_calendar(meeting),
            "changeable": changeable,
            "error": error,
        },
    )


@guard(None)
@for_anyone
@require_safe
@throttled("link")
def proposal_event(request, token):
    """The booked meeting as an .ics file for their own calendar (until it took place)."""
    proposal = find(token)
    if (
        proposal is None
        or proposal.state != ProposalState.BOOKED
        or proposal.booked is None
        or _took_place(proposal.booked)
    ):
        raise Http404
    ensure_uid(proposal.booked)
    response = HttpResponse(
        calendar_text(proposal.booked, "PUBLISH"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response
