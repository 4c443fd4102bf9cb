"""The member's own settings: name, zone, language, digest, password, API tokens, workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verbind.web.edges import id_from
from verbind.web.forms import MembershipForm, TokenForm
from verbind.web.views.common import member_required
from verbind.workspaces import throttle
from verbind.workspaces.middleware import SESSION_KEY
from verbind.workspaces.models import ApiToken, Membership
from verbind.workspaces.permissions import Action, allows, guard

NEW_KEY = "verbind_new_token"


@member_required
@guard(Action.OWN_SETTINGS)
def settings_page(request):
    membership = request.membership
    zone_form = MembershipForm(
        request.POST if "save_zone" in request.POST else None, instance=membership
    )
    token_form = TokenForm(request.POST if "make_token" in request.POST else None)
    password_form = PasswordChangeForm(
        request.user, request.POST if "change_password" in request.POST else None
    )
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)  # not the page's first
    if request.method == "POST":
        if password_form.is_bound and password_form.is_valid():
            password_form.save()
            update_session_auth_hash(request, password_form.user)  # stay signed in here
            messages.success(request, _("Your password is changed."))
            return redirect("settings")
        if zone_form.is_bound and zone_form.is_valid():
            zone_form.save()
            messages.success(request, _("Your settings are saved."))
            return redirect("settings")
        if token_form.is_bound and token_form.is_valid():
            _token, raw = ApiToken.issue(membership, token_form.cleaned_data["name"])
            request.session[NEW_KEY] = raw  # shown on the next page, once
            return redirect("settings")
    new_key = request.session.pop(NEW_KEY, None)
    return render(
        request,
        "web/settings.html",
        {
            "zone_form": zone_form,
            "token_form": token_form,
            "password_form": password_form,
            "tokens": membership.tokens.filter(revoked_at__isnull=True),
            "new_key": new_key,
            "locked": _locked_members(membership),
        },
    )


def _locked_members(membership) -> list:
    """Members of this workspace whose sign-in is locked now (for an owner to unlock)."""
    if not allows(membership, Action.UNLOCK_SIGN_IN):
        return []
    keys = {row.key: row for row in throttle.locked_now().filter(scope=throttle.Scope.ACCOUNT)}
    found = []
    for member in Membership.objects.filter(
        workspace_id=membership.workspace_id, user__username__in=keys
    ).select_related("user"):
        member.locked_until = keys[member.user.username].locked_until
        found.append(member)
    return found


@member_required
@guard(Action.UNLOCK_SIGN_IN)
@require_POST
def unlock_member(request, pk):
    member = get_object_or_404(
        Membership.objects.select_related("user"), workspace=request.workspace, user_id=pk
    )
    throttle.forget(throttle.Scope.ACCOUNT, throttle.account_key(member.user.username))
    messages.success(
        request, _("%(name)s can sign in again.") % {"name": member.display_name}
    )
    return redirect("settings")


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(request.membership.tokens, pk=pk, revoked_at__isnull=True)
    token.revoke()
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("settings")


@member_required
@guard(Action.OWN_SETTINGS)
@require_POST
def switch_workspace(request):
    chosen = id_from(request.POST.get("workspace", ""))
    if not chosen:
        return render(request, "web/404.html", status=404)
    membership = get_object_or_404(request.user.memberships, workspace_id=chosen)
    request.session[SESSION_KEY] = membership.workspace_id
    return redirect("home")
