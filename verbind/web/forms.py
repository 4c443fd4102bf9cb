"""Forms for the web pages; each binds to the current workspace so nothing leaks across."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from verbind.obligations.models import Appointment, AppointmentStatus, Promise
from verbind.people.models import Interaction, InteractionKind, Organisation, Person
from verbind.workspaces.models import Membership, Workspace


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
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class WorkspaceForm(forms.ModelForm):
    """A form for a row that belongs to a workspace; sets it before validation."""

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace


class PersonForm(WorkspaceForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "phone",
            "organisation",
            "job_title",
            "language",
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
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: [
            (zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())
        ],
    )

    class Meta:
        model = Membership
        fields = ["time_zone"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, initial=_("My script"))
