"""The pages a relation opens from a private link: no sign-in, their own language."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from verbind.scheduling.invites import person_zone
from verbind.scheduling.models import ProposalState
from verbind.scheduling.proposals import (
    BookingRefused,
    ask_again,
    book,
    decline,
    find,
    refresh_slots,
)


@require_http_methods(["GET", "POST"])
def proposal_page(request, token):
    proposal = find(token)
    if proposal is None:
        return render(request, "web/public/gone.html", {"reason": "unknown"}, status=404)
    language = proposal.person.language
    zone = person_zone(proposal.person, proposal.host)  # their zone where we know it
    with translation.override(language), timezone.override(zone):
        context = {
            "proposal": proposal,
            "host": proposal.host,
            "language": language,
            "zone": str(zone),
        }
        if proposal.state == ProposalState.BOOKED:
            return render(
                request, "web/public/booked.html", {**context, "meeting": proposal.booked}
            )
        if not proposal.is_open:
            reason = {ProposalState.OPEN: "expired", ProposalState.WITHDRAWN: "withdrawn"}.get(
                proposal.state, "used"
            )
            asked = False
            if request.method == "POST" and "ask_again" in request.POST:
                ask_again(proposal, request.POST.get("note", "").strip())
                asked = True
            return render(
                request,
                "web/public/gone.html",
                {**context, "reason": reason, "asked": asked},
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
                chosen = int(slot) if slot.isascii() and slot.isdigit() and len(slot) < 12 else 0
                meeting = book(proposal, chosen)
                return render(request, "web/public/booked.html", {**context, "meeting": meeting})
            except BookingRefused as exc:
                error = exc.message
                proposal.refresh_from_db()
                if proposal.state == ProposalState.BOOKED:  # a second click on "Book"
                    meeting = proposal.booked
                    return render(
                        request, "web/public/booked.html", {**context, "meeting": meeting}
                    )
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
            {**context, "error": error, "slots": slots},
        )
