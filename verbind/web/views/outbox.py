"""Drafts and the outbox: edit a draft, send it, or send it yourself and mark it sent."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.messaging import outage, outbox
from verbind.messaging.links import links_for
from verbind.messaging.models import Channel, OutboxMessage, State
from verbind.web.forms import DateTimeLocalInput
from verbind.web.views.common import member_required, scoped
from verbind.workspaces.permissions import Action, allows, guard, require


class ComposeForm(forms.Form):
    """In reading order: subject, text, the times it offers, and how it goes out."""

    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    body = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 12}))
    time_1 = forms.DateTimeField(
        label=gettext_lazy("Proposed time 1"), required=False, widget=DateTimeLocalInput()
    )
    time_2 = forms.DateTimeField(
        label=gettext_lazy("Proposed time 2"), required=False, widget=DateTimeLocalInput()
    )
    time_3 = forms.DateTimeField(
        label=gettext_lazy("Proposed time 3"), required=False, widget=DateTimeLocalInput()
    )
    new_due = forms.DateTimeField(
        label=gettext_lazy("New promised time"), required=False, widget=DateTimeLocalInput()
    )
    channel = forms.ChoiceField(label=gettext_lazy("Send by"), choices=Channel.choices)

    def __init__(self, *args, message: OutboxMessage, **kwargs):
        super().__init__(*args, **kwargs)
        step = message.next_step
        kind = message.editable_step
        if kind != "times":
            for name in ("time_1", "time_2", "time_3"):
                del self.fields[name]
        if kind != "new_due":
            del self.fields["new_due"]
        if not self.is_bound:
            self.initial = {
                "channel": message.channel,
                "subject": message.subject,
                "body": message.body,
            }
            for n, value in enumerate(step.times, start=1):
                self.initial[f"time_{n}"] = timezone.localtime(value)
            if step.due_at:
                self.initial["new_due"] = timezone.localtime(step.due_at)

    def clean(self):
        data = super().clean()
        now = timezone.now()
        for name in ("time_1", "time_2", "time_3", "new_due"):
            value = data.get(name)
            if value is not None and value <= now:
                self.add_error(name, _("Pick a moment in the future."))
        return data

    @property
    def times(self):
        return [
            self.cleaned_data[n] for n in ("time_1", "time_2", "time_3") if self.cleaned_data.get(n)
        ]


@member_required
@guard(Action.SEND_MESSAGE)
def message_page(request, pk):
    message = scoped(request, OutboxMessage, pk)
    if not message.readable_by(request.membership):
        raise Http404
    if request.method == "POST":
        require(request.membership, Action.SEND_MESSAGE, message)
    form = None
    may_send = allows(request.membership, Action.SEND_MESSAGE, message)
    if message.state == State.DRAFT and may_send:
        form = ComposeForm(request.POST or None, message=message)
        if request.method == "POST" and form.is_valid():
            try:
                outbox.revise(
                    message,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    channel=form.cleaned_data["channel"],
                    times=form.times,
                    new_due=form.cleaned_data.get("new_due"),
                    zone=request.membership.zone,
                )
                if "send" in request.POST:
                    state = outbox.send(message, by=request.user)
                    if state == State.QUEUED:
                        messages.success(request, _("On its way: it goes out within a minute."))
                        return redirect("home")
                    return redirect("message", message.pk)
                messages.success(request, _("Draft saved."))
                return redirect("message", message.pk)
            except outbox.OutboxRefused as exc:
                form.add_error(None, exc.message)
    return render(
        request,
        "web/message.html",
        {
            "message": message,
            "form": form,
            "links": links_for(message) if may_send else [],
            "may_send": may_send,
            "may_cancel": allows(request.membership, Action.CANCEL_MESSAGE, message),
            "outage": outage.current() if message.state == State.QUEUED else None,
        },
    )


@member_required
@guard(Action.SEND_MESSAGE)
@require_POST
def message_mark_sent(request, pk):
    message = scoped(request, OutboxMessage, pk)
    require(request.membership, Action.SEND_MESSAGE, message)
    try:
        outbox.mark_sent(message, by=request.user)
        messages.success(
            request,
            _("Marked as sent and added to %(name)s's timeline.")
            % {"name": message.recipient_name},
        )
    except outbox.OutboxRefused as exc:
        messages.error(request, exc.message)
    return redirect("home")


@member_required
@guard(Action.CANCEL_MESSAGE)
@require_POST
def message_cancel(request, pk):
    message = scoped(request, OutboxMessage, pk)
    require(request.membership, Action.CANCEL_MESSAGE, message)
    try:
        outbox.cancel(message)
        messages.success(request, _("Message discarded."))
    except outbox.OutboxRefused as exc:
        messages.error(request, exc.message)
    return redirect("outbox")


@member_required
@guard(Action.SEND_MESSAGE)
@require_POST
def message_retry(request, pk):
    message = scoped(request, OutboxMessage, pk)
    require(request.membership, Action.SEND_MESSAGE, message)
    try:
        outbox.retry(message)
        messages.success(request, _("It is back in line and goes out within a minute."))
    except outbox.OutboxRefused as exc:
        messages.error(request, exc.message)
    return redirect("message", message.pk)


@member_required
@guard(None)
def outbox_page(request):
    show = request.GET.get("show", "")
    show = show if show in outbox.SHOWN else ""
    paginator = Paginator(outbox.listing(request.workspace, show, request.membership), 50)
    page = paginator.get_page(request.GET.get("page"))
    tabs = [
        ("", _("All")),
        ("waiting", _("Waiting for you")),
        ("on_its_way", _("On its way")),
        ("sent", _("Sent")),
        ("cancelled", _("Cancelled")),
    ]
    return render(
        request,
        "web/outbox.html",
        {"outbox": page, "show": show, "tabs": tabs, "outage": outage.current()},
    )


@member_required
@guard(None)
def message_invite(request, pk):
    """The calendar invite of a message, to attach by hand when Verbind does not send mail."""
    message = scoped(request, OutboxMessage, pk)
    if not message.calendar:
        raise Http404
    response = HttpResponse(message.calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="invite.ics"'
    return response
