"""Settings → Webhooks: the addresses told of what happens, what they last answered, and a
way to add, resume or remove one (owners and managers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from verbind.hooks import endpoints
from verbind.hooks.models import Endpoint
from verbind.lib.events import EVENTS
from verbind.web.views.common import member_required
from verbind.workspaces.permissions import Action, guard

NEW_SECRET = "verbind_new_webhook_secret"


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=500,
        help_text=gettext_lazy("An https:// address of your chat, n8n or your own tool."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Tell it when"),
        choices=[(name, f"{capfirst(meaning)} ({name})") for name, meaning in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )


@member_required
@guard(Action.WORKSPACE_SETTINGS)
def webhooks_page(request):
    form = WebhookForm(request.POST or None, auto_id="hook_%s")
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoints.add(
                request.workspace,
                form.cleaned_data["url"],
                form.cleaned_data["events"],
                by=request.user,
            )
        except endpoints.EndpointInvalid as exc:
            form.add_error("url", exc.message)
        else:
            request.session[NEW_SECRET] = [endpoint.pk, endpoint.secret]  # shown once
            messages.success(request, _("Added. Copy its secret now: it is shown only once."))
            return redirect("webhooks")
    shown = request.session.pop(NEW_SECRET, None)
    hooks = list(Endpoint.objects.in_workspace(request.workspace))
    for hook in hooks:
        hook.recent = list(endpoints.recent(hook, 5))
        hook.new_secret = shown[1] if shown and shown[0] == hook.pk else ""
    return render(
        request,
        "web/webhooks.html",
        {"form": form, "hooks": hooks, "events": EVENTS},
        status=422 if form.errors else 200,
    )


@member_required
@require_POST
@guard(Action.WORKSPACE_SETTINGS)
def webhook_resume(request, pk):
    endpoints.resume(get_object_or_404(Endpoint.objects.in_workspace(request.workspace), pk=pk))
    messages.success(request, _("Resumed: what waited goes out now."))
    return redirect("webhooks")


@member_required
@require_POST
@guard(Action.WORKSPACE_SETTINGS)
def webhook_remove(request, pk):
    get_object_or_404(Endpoint.objects.in_workspace(request.workspace), pk=pk).delete()
    messages.success(request, _("Removed: it is told of nothing any more."))
    return redirect("webhooks")
