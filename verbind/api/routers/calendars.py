"""The caller's own calendars: what `verbind calendar add|sync|list` does, for scripts."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticError

from verbind.api.answers import answers
from verbind.api.crud import Id, Input
from verbind.lib.uploads import check_size
from verbind.scheduling.calendars import SyncFailed, add_remote, load, sync
from verbind.scheduling.models import Availability, CalendarFeed, CalendarSource
from verbind.scheduling.week import WorkingWeek, set_working_week
from verbind.transfer.records import ImportFailed
from verbind.workspaces.permissions import Action, guard

router = Router(tags=["calendars"])


class SkippedOut(Schema):
    file: str = Field(description="the file or CalDAV resource the event was in")
    line: int
    field: str = Field(description="the property, e.g. RRULE or DTSTART; empty for the whole event")
    reason: str
    read: bool = Field(
        description="true: a note on an event read all the same (an unknown time zone); "
        "false: the event was skipped"
    )


class CalendarOut(Schema):
    id: int
    name: str
    source: CalendarSource
    url: str = Field(description="the feed or CalDAV address (never the password)")
    busy: int = Field(description="busy times stored for the coming 400 days")
    absences: int
    last_synced_at: datetime | None
    last_error: str
    next_sync_at: datetime | None
    events_read: int = Field(description="events read at the last good read")
    skipped: list[SkippedOut] = Field(
        description="events of the last good read that could not be read, with line and property"
    )

    @staticmethod
    def resolve_busy(obj) -> int:
        return obj.blocks.count()

    @staticmethod
    def resolve_absences(obj) -> int:
        return obj.blocks.filter(absence=True).count()


class CalendarIn(Input):
    name: str = Field(min_length=1, max_length=200)
    source: CalendarSource = Field(description="feed or caldav (upload a file with /upload)")
    url: str = Field(min_length=1, max_length=500)
    username: str = Field("", max_length=200)
    password: str = Field("", max_length=500)


@router.get(
    "", response=answers(list[CalendarOut]), summary="Your calendars and how their last read went"
)
def list_calendars(request):
    return list(request.membership.calendars.order_by("name"))


@router.post(
    "",
    response=answers({201: CalendarOut}, 409, 413),
    summary="Follow an ICS feed or a CalDAV calendar",
    description="Read at once (nothing is added if that fails: 422 with the reason), "
    "then again by the worker every 30 minutes.",
)
@guard(Action.OWN_SETTINGS)
def follow_calendar(request, payload: CalendarIn):
    if payload.source == CalendarSource.UPLOAD:
        raise ValidationError({"source": ["Upload a file with POST /calendars/upload."]})
    try:
        calendar = add_remote(
            request.membership,
            payload.name,
            payload.url,
            payload.source,
            payload.username,
            payload.password,
        )
    except SyncFailed as exc:
        raise ValidationError({"url": [exc.message]}) from None
    return 201, calendar


@router.post(
    "/upload",
    response=answers({201: CalendarOut}, 409, 413),
    summary="Read an .ics file (again: the same name replaces its times)",
)
@guard(Action.OWN_SETTINGS)
def upload_calendar(request, file: File[UploadedFile], name: str = ""):
    check_size(file.size, file.name)
    try:
        calendar = load(request.membership, name or file.name, file.read(), file.name)
    except ImportFailed as exc:
        raise ValidationError({"file": [str(exc.problem)]}) from None
    return 201, calendar


@router.post(
    "/{int:calendar_id}/sync",
    response=answers(CalendarOut, 404, 409, 413, 502),
    summary="Read a feed or CalDAV calendar now",
    description="502 with the reason when the calendar server cannot be read; "
    "the times from the last good read stay.",
)
@guard(Action.OWN_SETTINGS)
def sync_calendar(request, calendar_id: Id):
    calendar = get_object_or_404(request.membership.calendars, pk=calendar_id)
    if calendar.source == CalendarSource.UPLOAD:
        raise HttpError(409, "An uploaded file is read again by uploading it again.")
    try:
        return sync(calendar)
    except SyncFailed as exc:
        raise HttpError(502, exc.message) from None


@router.delete(
    "/{int:calendar_id}",
    response=answers({204: None}, 403, 404, 409),
    summary="Stop using a calendar",
)
@guard(Action.OWN_SETTINGS)
def delete_calendar(request, calendar_id: Id):
    get_object_or_404(request.membership.calendars, pk=calendar_id).delete()
    return 204, None


class FeedOut(Schema):
    url: str = Field(description="your private subscription address; shown only in this answer")


@router.post(
    "/feed/renew",
    response=answers(FeedOut, 403),
    summary="A new private address for your calendar feed (the old one stops working)",
)
@guard(Action.OWN_SETTINGS)
def renew_feed(request):
    raw = CalendarFeed.renew(request.membership)
    return {"url": request.build_absolute_uri(reverse("calendar_feed", args=[raw]))}


class WeekOut(Schema):
    weekly_hours: dict[str, list[list[str]]] = Field(
        description='weekday (0 = Monday) to local from–to ranges: {"0": [["09:00", "17:00"]]}'
    )
    buffer_minutes: int
    notice_hours: int

    @staticmethod
    def resolve_weekly_hours(obj) -> dict:
        return obj.weekly_hours.as_json()


class WeekIn(Input):
    weekly_hours: dict[str, list[list[str]]] = Field(
        description='weekday (0 = Monday) to from–to ranges: {"0": [["09:00", "17:00"]]}'
    )
    buffer_minutes: int = Field(15, ge=0, le=240)
    notice_hours: int = Field(24, ge=0, le=24 * 90)


@router.get("/week", response=answers(WeekOut), summary="Your working week (times are offered in it)")
def get_week(request):
    return Availability.of(request.membership)


@router.put("/week", response=answers(WeekOut, 403, 413), summary="Set your working week")
@guard(Action.OWN_SETTINGS)
def set_week(request, payload: WeekIn):
    try:
        week = WorkingWeek.model_validate(payload.weekly_hours)
    except PydanticError as exc:
        raise ValidationError(
            {"weekly_hours": [error["msg"].removeprefix("Value error, ") for error in exc.errors()]}
        ) from None
    return set_working_week(
        request.membership, week, payload.buffer_minutes, payload.notice_hours
    )
