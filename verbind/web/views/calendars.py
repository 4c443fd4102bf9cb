"""The member's calendars page: working week, calendars and their sync state, absences, feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from verbind.followthrough import absences as followthrough_absences
from verbind.followthrough import delegation as delegation_of
from verbind.lib.refusals import Refused
from verbind.lib.uploads import check_size
from verbind.scheduling import absences
from verbind.scheduling.calendars import SyncFailed, add_remote, load, sync
from verbind.scheduling.feed import feed_text
from verbind.scheduling.feed import find as find_feed
from verbind.scheduling.fortnight import fortnight
from verbind.scheduling.models import (
    Availability,
    BusyBlock,
    CalendarFeed,
    CalendarSource,
    Proposal,
    ProposalState,
)
from verbind.web.forms import (
    AbsenceForm,
    AvailabilityForm,
    CalDavForm,
    CalendarAddressForm,
    CalendarFileForm,
)
from verbind.web.views.common import member_required
from verbind.workspaces.permissions import Action, guard

FEED_KEY = "verbind_new_feed"


def _bound(request, form_class, name, **kwargs):
    if request.method == "POST" and name in request.POST:
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


@member_required
@guard(Action.OWN_SETTINGS)
def calendars_page(request):
    membership = request.membership
    week = _bound(request, AvailabilityForm, "save_week", instance=Availability.of(membership))
    upload = _bound(request, CalendarFileForm, "upload", auto_id="upload_%s")
    address = _bound(request, CalendarAddressForm, "follow", auto_id="follow_%s")
    caldav = _bound(request, CalDavForm, "caldav", auto_id="caldav_%s")
    absence = (
        AbsenceForm(request.POST, membership=membership)
        if "add_absence" in request.POST
        else AbsenceForm(membership=membership)
    )
    if request.method == "POST":
        if week.is_bound and week.is_valid():
            week.save()
            messages.success(request, _("Your working week is saved."))
            return redirect("calendars")
        if upload.is_bound and upload.is_valid():
            handed = upload.cleaned_data["file"]
            try:
                check_size(handed.size, handed.name)
                calendar = load(
                    membership,
                    upload.cleaned_data["name"] or handed.name,
                    handed.read(),
                    handed.name,
                )
            except Refused as exc:  # too big, or not a calendar: said at the field
                upload.add_error("file", exc.message)
            else:
                messages.success(request, _read_message(calendar))
                return redirect("calendars")
        for remote in (address, caldav):
            if remote.is_bound and remote.is_valid():
                data = remote.cleaned_data
                try:
                    calendar = add_remote(
                        membership,
                        data["name"],
                        data["url"],
                        remote.source,
                        data.get("username", ""),
                        data.get("password", ""),
                    )
                except SyncFailed as exc:
                    remote.add_error(None, exc.message)
                else:
                    messages.success(request, _read_message(calendar))
                    return redirect("calendars")
        if absence.is_bound and absence.is_valid():
            absence.save()
            messages.success(request, _("Your absence is saved."))
            return redirect("calendars")
    affected = _with_offers(absences.affected(membership))
    new_feed = request.session.pop(FEED_KEY, None)
    feed = CalendarFeed.objects.filter(membership=membership).first()
    return render(
        request,
        "web/calendars.html",
        {
            "week": week,
            "upload": upload,
            "address": address,
            "caldav": caldav,
            "fortnight": fortnight(membership),
            "absence_form": absence,
            "calendars": membership.calendars.order_by("name"),
            "calendar_absences": BusyBlock.objects.filter(
                membership=membership, absence=True, ends_at__gt=_now()
            )
            .select_related("calendar")
            .order_by("starts_at")[:20],
            "absences": membership.absences.filter(ends_at__gt=_now()).select_related(
                "backup__user"
            ),
            "affected": affected,
            "all_offered": all(meeting.open_offer for meeting in affected),
            "feed": feed,
            "new_feed": new_feed and f"{settings.SITE_URL}/feed/{new_feed}.ics",
        },
    )


def _with_offers(meetings) -> list:
    """Each meeting with the new dates already offered for it (still open), if any."""
    meetings = list(meetings)
    offers = {
        p.replaces_id: p
        for p in Proposal.objects.filter(
            replaces__in=meetings, state=ProposalState.OPEN, expires_at__gt=_now()
        )
    }
    for meeting in meetings:
        meeting.open_offer = offers.get(meeting.pk)
    return meetings


def _now():
    from django.utils import timezone

    return timezone.now()


def _read_message(calendar) -> str:
    busy = calendar.blocks.count()
    away = calendar.blocks.filter(absence=True).count()
    said = ngettext(
        "Read “%(name)s”: %(busy)d busy time, %(away)d of them away.",
        "Read “%(name)s”: %(busy)d busy times, %(away)d of them away.",
        busy,
    ) % {"name": calendar.name, "busy": busy, "away": away}
    skipped = len(calendar.skipped_events)
    if skipped:
        said += " " + ngettext(
            "%(count)d event could not be read and was skipped; see why below.",
            "%(count)d events could not be read and were skipped; see why below.",
            skipped,
        ) % {"count": skipped}
    return said


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def calendar_sync(request, pk):
    calendar = get_object_or_404(
        request.membership.calendars.exclude(source=CalendarSource.UPLOAD), pk=pk
    )
    try:
        sync(calendar)
    except SyncFailed as exc:
        messages.error(
            request,
            _("“%(name)s” could not be read: %(error)s")
            % {"name": calendar.name, "error": exc.message},
        )
    else:
        messages.success(request, _read_message(calendar))
    return redirect("calendars")


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def calendar_remove(request, pk):
    calendar = get_object_or_404(request.membership.calendars, pk=pk)
    calendar.delete()
    messages.success(
        request,
        _("“%(name)s” is removed; its busy times no longer count.") % {"name": calendar.name},
    )
    return redirect("calendars")


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def absence_remove(request, pk):
    get_object_or_404(request.membership.absences, pk=pk).delete()
    messages.success(request, _("The absence is removed."))
    return redirect("calendars")


@member_required
@guard(Action.OWN_AGENDA)
@require_POST
def absence_hand_over(request, pk):
    absence = get_object_or_404(request.membership.absences, pk=pk)
    try:
        delegation = delegation_of.hand_over(absence, by=request.user)
    except delegation_of.DelegationRefused as exc:
        messages.error(request, exc.message)
    else:
        count = delegation.handed.count()
        messages.success(
            request,
            ngettext(
                "Handed over: %(count)d thing to %(name)s. It comes back when you do.",
                "Handed over: %(count)d things to %(name)s. They come back when you do.",
                count,
            )
            % {"count": count, "name": delegation.delegate.get_full_name()},
        )
    return redirect(reverse("calendars") + "#absences")


@member_required
@guard(Action.OWN_AGENDA)
@require_POST
def absence_offer_all(request):
    sent = followthrough_absences.offer_new_dates(request.membership, by=request.user)
    if not sent:
        messages.info(request, _("New dates were offered already; they wait for an answer."))
    else:
        messages.success(
            request,
            ngettext(
                "New dates offered to %(count)d person. The message is in the outbox.",
                "New dates offered to %(count)d people. The messages are in the outbox.",
                len(sent),
            )
            % {"count": len(sent)},
        )
    return redirect("calendars")


@member_required
@guard(Action.OWN_AGENDA)
@require_POST
def absence_to_backup(request):
    moved, stuck = followthrough_absences.hand_to_backup(request.membership, by=request.user)
    if moved:
        messages.success(
            request,
            ngettext(
                "%(count)d meeting handed to your backup.",
                "%(count)d meetings handed to your backup.",
                len(moved),
            )
            % {"count": len(moved)},
        )
    if stuck:
        messages.error(
            request,
            _("Nobody stands in for %(meetings)s: name a backup on the absence, or in Settings.")
            % {"meetings": ", ".join(f"“{m.title}” ({m.person.name})" for m in stuck)},
        )
    return redirect("calendars")


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def feed_renew(request):
    request.session[FEED_KEY] = CalendarFeed.renew(request.membership)
    return redirect("calendars")


@guard(None)
@require_safe
def feed(request, token):
    """The subscription feed: no sign-in, the private token is the key."""
    found = find_feed(token)
    if found is None:
        return HttpResponse(
            "Unknown or renewed feed address.\n", status=404, content_type="text/plain"
        )
    response = HttpResponse(
        feed_text(found.membership), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
