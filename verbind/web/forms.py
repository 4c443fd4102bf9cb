"""Forms for the web pages; each binds to the current workspace so nothing leaks across."""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from verbind.lib.phones import BadPhoneNumber, normalise_phone
from verbind.lib.zones import find_zone
from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, InteractionKind, Organisation, Person
from verbind.scheduling.models import Absence, Availability, CalendarSource
from verbind.scheduling.proposals import BookingRefused, default_title, offer_in_a_message
from verbind.workspaces.models import Membership, Role, Workspace


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def members_of(workspace: Workspace):
    return get_user_model().objects.filter(memberships__workspace=workspace).order_by("first_name")


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.email


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            lock = getattr(self.request, "sign_in_lock", None)
            if lock is None:
                raise
            # Locked (or just now locked): say so plainly, with how long and what helps.
            raise forms.ValidationError(lock.message(), code="locked") from None


class WorkspaceForm(forms.ModelForm):
    """A form for a row that belongs to a workspace; sets it before validation."""

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace


LEGACY_ZONES = (
    "Etc/",
    "SystemV/",
    "US/",
    "Canada/",
    "Mexico/",
    "Brazil/",
    "Chile/",
    "posix",
    "right",
)


def zone_choices(blank: str = "") -> list[tuple[str, str]]:
    """Time zones as people know them (Europe/Amsterdam), without legacy aliases (GB, US/…)."""
    zones = list(_zones())
    return [("", blank), *zones] if blank else zones


@functools.cache
def zone_names() -> frozenset[str]:
    """The zones of ``zone_choices``, to check a zone typed on a page against."""
    return frozenset(zone for zone, _label in _zones())


@functools.cache
def zone_options() -> SafeString:
    """The ``<option>``s of the zone list on the private link pages, rendered once per process.

    About 490 of them, the same for every visitor and language: rendered by the template
    each time they were a good part of the page's time (issue #13)."""
    return format_html_join("", '<option value="{}">', ((zone,) for zone, _label in _zones()))


@functools.cache
def _zones() -> tuple[tuple[str, str], ...]:
    # Read once per process: available_timezones() opens every file of the zone database
    # (about 600), which made the private link page, that lists them, slow (issue #13).
    return (
        *(
            (zone, zone.replace("_", " "))
            for zone in sorted(zoneinfo.available_timezones())
            if "/" in zone and not zone.startswith(LEGACY_ZONES)
        ),
        ("UTC", "UTC"),
    )


def page_language() -> str:
    """The language of the page being used (nl or en), for a new person's messages."""
    return "nl" if (translation.get_language() or "").startswith("nl") else "en"


class ZoneField(forms.ChoiceField):
    """A time zone typed as people do: a city ("Amsterdam", "new york") or its full name."""

    def to_python(self, value):
        return find_zone(super().to_python(value)) if value else ""


class ZoneInput(forms.TextInput):
    """A time zone typed with suggestions (a searchable list), not a 400-line dropdown."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        listed = f"{(attrs or {}).get('id', name)}-zones"
        html = super().render(name, value, {**(attrs or {}), "list": listed}, renderer)
        options = "".join(f'<option value="{zone}">' for zone, _label in zone_choices())
        return html + format_html('<datalist id="{}">', listed) + mark_safe(options + "</datalist>")


class PersonForm(WorkspaceForm):
    profile_url = forms.URLField(
        label=_("Profile"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Their LinkedIn page or website."),
    )
    time_zone = ZoneField(
        label=_("Time zone"),
        required=False,
        choices=lambda: zone_choices(str(_("the same as yours"))),
        widget=ZoneInput(),
        help_text=_(
            "Where they live, if not in yours (type a city, e.g. New York): offered times "
            "are shown in this zone. Empty: the same as yours."
        ),
        error_messages={"invalid_choice": _("“%(value)s” is not a time zone we know.")},
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "phone",
            "organisation",
            "job_title",
            "profile_url",
            "language",
            "time_zone",
            "preferred_channel",
            "met_how",
            "met_on",
            "notes",
        ]
        widgets = {
            "met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.in_workspace(self.workspace)
        if not self.instance.pk:  # someone new most likely speaks the language you work in
            self.fields["language"].initial = page_language()


class OrganisationForm(WorkspaceForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "website", "city", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class InteractionForm(WorkspaceForm):
    class Meta:
        model = Interaction
        fields = ["kind", "direction", "channel", "occurred_at", "notes"]
        widgets = {
            "occurred_at": DateTimeLocalInput(),
            "notes": forms.Textarea(
                attrs={"rows": 2, "placeholder": _("What was said, what's next?")}
            ),
        }

    def __init__(self, *args, person: Person, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.instance.member = member
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["kind"].initial = InteractionKind.MEETING


class ObligationForm(WorkspaceForm):
    owner = MemberChoiceField(queryset=None, label=_("Owner"))

    def __init__(self, *args, person: Person, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = person
        self.fields["owner"].queryset = members_of(self.workspace)
        self.fields["owner"].initial = member.pk


DURATIONS = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
    (240, _("half a day")),
]


class AppointmentForm(ObligationForm):
    owner = MemberChoiceField(queryset=None, label=_("Host"))
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (AppointmentStatus.CONFIRMED, _("Confirmed")),
            (AppointmentStatus.PROPOSED, _("Proposed")),
        ],
        initial=AppointmentStatus.CONFIRMED,
    )

    field_order = ["title", "starts_at", "duration", "place", "owner", "status", "notes"]

    class Meta:
        model = Appointment
        fields = ["title", "starts_at", "place", "owner", "status", "notes"]  # status: see below
        widgets = {"starts_at": DateTimeLocalInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["placeholder"] = _("Coffee at their office")

    def _post_clean(self):
        starts_at = self.cleaned_data.get("starts_at")
        duration = self.cleaned_data.get("duration")
        if starts_at and duration:
            self.instance.ends_at = starts_at + timedelta(minutes=duration)
        super()._post_clean()


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New time"), widget=DateTimeLocalInput())
    duration = forms.TypedChoiceField(
        label=_("Duration"),
        choices=[("", _("as before")), *DURATIONS],
        coerce=int,
        empty_value=None,
        required=False,
    )


class PromiseForm(ObligationForm):
    class Meta:
        model = Promise
        fields = ["what", "kind", "due_at", "owner", "notes"]
        widgets = {"due_at": DateTimeLocalInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].widget.attrs["placeholder"] = _("Send the proposal")
        tomorrow = timezone.localtime() + timedelta(days=1)
        self.fields["due_at"].initial = tomorrow.replace(hour=17, minute=0, second=0, microsecond=0)


class MembershipForm(forms.ModelForm):
    """You: your name (it signs your messages), your zone, language, digest and backup."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    time_zone = ZoneField(
        label=_("Time zone"),
        choices=zone_choices,
        widget=ZoneInput(),
        help_text=_("Type a city, e.g. Amsterdam or New York."),
        error_messages={"invalid_choice": _("“%(value)s” is not a time zone we know.")},
    )

    class Meta:
        model = Membership
        fields = ["time_zone", "language", "digest_hour", "wants_digest", "backup", "mobile"]
        widgets = {
            "digest_hour": forms.Select(choices=[(h, f"{h:02d}:00") for h in range(24)])
        }
        labels = {"backup": _("Your backup colleague")}
        help_texts = {
            "backup": _("Stands in when you are away, and hears of a repair you could not do.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.order_fields(["first_name", "last_name"])
        self.fields["backup"].queryset = self.instance.colleagues()
        self.fields["backup"].label_from_instance = lambda m: m.display_name

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"].strip()
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except BadPhoneNumber:
            raise forms.ValidationError(
                _("“%(value)s” is not a phone number we can call."), params={"value": raw}
            ) from None

    def save(self, commit=True):
        membership = super().save(commit)
        user = membership.user
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        if {"digest_hour", "time_zone"} & set(self.changed_data):
            membership.digest_changed()
        return membership


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial=_("My script"))


# With a context of their own: Django's date formats translate the bare day names.
WEEKDAYS = [
    pgettext_lazy("working week", "Monday"),
    pgettext_lazy("working week", "Tuesday"),
    pgettext_lazy("working week", "Wednesday"),
    pgettext_lazy("working week", "Thursday"),
    pgettext_lazy("working week", "Friday"),
    pgettext_lazy("working week", "Saturday"),
    pgettext_lazy("working week", "Sunday"),
]


def _ranges_text(ranges) -> str:
    return ", ".join(f"{start}–{end}" for start, end in ranges)


class AvailabilityForm(forms.ModelForm):
    """The working week as one line per day: “09:00–12:30, 13:30–17:00”, or empty for a day off."""

    class Meta:
        model = Availability
        fields = ["buffer_minutes", "notice_hours"]

    buffer_minutes = forms.IntegerField(
        label=_("Buffer between meetings (minutes)"), min_value=0, max_value=240
    )
    notice_hours = forms.IntegerField(
        label=_("Minimum notice (hours)"), min_value=0, max_value=24 * 90
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.instance.weekly_hours.as_json()
        for number, name in enumerate(WEEKDAYS):
            self.fields[f"day{number}"] = forms.CharField(
                label=name,
                required=False,
                initial=_ranges_text(hours.get(str(number), [])),
                widget=forms.TextInput(attrs={"placeholder": _("day off")}),
            )
        self.order_fields([f"day{n}" for n in range(7)] + ["buffer_minutes", "notice_hours"])

    def clean(self):
        cleaned = super().clean()
        week = {}
        for number in range(len(WEEKDAYS)):
            field = f"day{number}"
            try:
                ranges = _read_ranges(cleaned.get(field) or "")
            except ValidationError as exc:
                self.add_error(field, exc)
                continue
            if ranges:
                week[str(number)] = ranges
        if not week and not self.errors:
            raise ValidationError(
                _("With no working hours on any day, Verbind can offer nobody a time.")
            )
        self.instance.weekly_hours = week
        return cleaned


TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _read_time(text: str, part: str) -> time:
    match = TIME.match(text.strip())
    if match and int(match[1]) == 24 and match[2] == "00":
        return time(23, 59)  # "until midnight"
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValidationError(
            _("Write times like 09:00–17:00 (“%(part)s” is not).") % {"part": part}
        )
    return time(int(match[1]), int(match[2]))


def _read_ranges(text: str) -> list[list[str]]:
    """“09:00–12:30, 13:30–17:00” as [["09:00", "12:30"], ["13:30", "17:00"]], in order."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.replace("-", "–").split(","))):
        start, _sep, end = part.partition("–")
        begin, finish = _read_time(start, part), _read_time(end, part)
        if finish <= begin:
            raise ValidationError(_("%(part)s ends before it starts.") % {"part": part})
        ranges.append((begin, finish))
    ranges.sort()
    for (_b1, end1), (begin2, _e2) in zip(ranges, ranges[1:], strict=False):
        if begin2 < end1:
            raise ValidationError(_("Two of these times overlap."))
    return [[b.strftime("%H:%M"), f.strftime("%H:%M")] for b, f in ranges]


class CalendarFileForm(forms.Form):
    file = forms.FileField(label=_("An .ics file (an export of your calendar)"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class CalendarAddressForm(forms.Form):
    """An ICS feed: the secret address a calendar service gives to share a calendar."""

    source = CalendarSource.FEED
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://…  webcal://…"}),
    )
    name = forms.CharField(label=_("Name"), max_length=200)


class CalDavForm(CalendarAddressForm):
    """A CalDAV account (Nextcloud, iCloud, Fastmail…): its address, user name and password."""

    source = CalendarSource.CALDAV
    username = forms.CharField(label=_("User name"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Password"), max_length=500, required=False, widget=forms.PasswordInput
    )


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["starts_at", "ends_at", "backup", "note"]
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.membership = membership
        self.instance.workspace = membership.workspace
        self.fields["backup"].queryset = membership.colleagues()
        self.fields["backup"].label_from_instance = lambda m: m.user.get_full_name() or m.user.email
        self.fields["backup"].initial = membership.backup_id



class OfferTimesForm(forms.Form):
    """Offer a person a few free times to pick from a link (the person page's last tab)."""

    title = forms.CharField(label=_("What"), max_length=200)
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, initial=60
    )
    within = forms.TypedChoiceField(
        label=_("Within"),
        choices=[
            (7, _("a week")),
            (14, _("two weeks")),
            (28, _("four weeks")),
            (56, _("eight weeks")),
        ],
        coerce=int,
        initial=14,
    )
    count = forms.TypedChoiceField(
        label=_("How many times"), choices=[(n, str(n)) for n in range(2, 6)], coerce=int, initial=3
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    co_host = forms.ModelChoiceField(
        label=_("Together with"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("just me"),
    )

    def __init__(self, *args, person: Person, member, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.host = Membership.objects.get(workspace=workspace, user=member)
        self.fields["title"].initial = default_title(person)
        self.fields["co_host"].queryset = self.host.colleagues()
        self.fields["co_host"].label_from_instance = lambda m: m.display_name
        self.message = None

    def save(self):
        data = self.cleaned_data
        try:
            self.message = offer_in_a_message(
                self.host,
                self.person,
                count=data["count"],
                within=timedelta(days=data["within"]),
                duration=timedelta(minutes=data["duration"]),
                title=data["title"],
                place=data["place"],
                co_host=data["co_host"],
            )
        except BookingRefused as exc:
            self.add_error(None, exc.message)
            return None
        return self.message


class MetForm(forms.Form):
    """Someone met just now: a name, a line, how to reach them (an event, or quick add)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    talked = forms.CharField(
        label=_("What you talked about"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("One line is enough")}),
    )
    reach = forms.CharField(
        label=_("E-mail or phone"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )


class InviteForm(forms.Form):
    """Invite a colleague: the address the sign-up link goes to, their role, their language."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MemberBackupForm(forms.Form):
    backup = forms.ModelChoiceField(
        label=_("Backup colleague"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("nobody"),
    )

    def __init__(self, *args, member: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = member.colleagues()
        self.fields["backup"].label_from_instance = lambda m: m.display_name


class JoinForm(forms.Form):
    """Someone invited makes their account: their name and a password."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("It signs the messages you send."),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The same password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = get_user_model()(username=self.email, email=self.email,
                                     first_name=data.get("full_name", ""))
            try:
                validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
