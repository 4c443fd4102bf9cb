"""Members of the workspace, without Django's admin: invite by e-mail, set a role or a backup,
remove; and the page an invited colleague opens from the mail to join."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from verbind.lib.refusals import Refused
from verbind.messaging import invitations
from verbind.messaging.models import State
from verbind.web.forms import InviteForm, JoinForm, MemberBackupForm, MemberRoleForm
from verbind.web.throttle import throttled
from verbind.web.views.common import member_required
from verbind.workspaces import members
from verbind.workspaces.accounts import find_user
from verbind.workspaces.middleware import SESSION_KEY
from verbind.workspaces.models import Invitation, Membership
from verbind.workspaces.permissions import Action, allows, guard, require

NEW_LINK = "verbind_new_invitation"


def _member(request, user_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "workspace"),
        workspace=request.workspace,
        user_id=user_id,
    )


@member_required
@guard((Action.SET_BACKUP, Action.MANAGE_MEMBERS))
@require_http_methods(["GET", "POST"])
def members_page(request):
    """Everyone in the workspace with their role and backup; owners invite here."""
    membership = request.membership
    require(membership, Action.MANAGE_MEMBERS if request.method == "POST" else Action.SET_BACKUP)
    invite_form = InviteForm(
        request.POST or None, initial={"language": request.LANGUAGE_CODE[:2]}, prefix="invite"
    )
    if request.method == "POST" and invite_form.is_valid():
        data = invite_form.cleaned_data
        try:
            invitation, message, link = invitations.invite(
                membership, data["email"], data["role"], data["language"]
            )
        except Refused as exc:
            invite_form.add_error("email", exc.message)
        else:
            if message.state == State.QUEUED:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s; the link works once, for a week.")
                    % {"email": invitation.email},
                )
            else:  # no mail server: the owner passes the link on, shown once
                request.session[NEW_LINK] = link
            return redirect("members")
    may_manage = allows(membership, Action.MANAGE_MEMBERS)
    rows = []
    for member in members.everyone(request.workspace):
        prefix = f"m{member.user_id}"
        rows.append(
            {
                "member": member,
                "is_you": member.pk == membership.pk,
                "role_form": MemberRoleForm(initial={"role": member.role}, prefix=prefix),
                "backup_form": MemberBackupForm(
                    initial={"backup": member.backup_id}, member=member, prefix=prefix
                ),
            }
        )
    return render(
        request,
        "web/members.html",
        {
            "rows": rows,
            "may_manage": may_manage,
            "invite_form": invite_form if may_manage else None,
            "invitations": members.open_invitations(request.workspace) if may_manage else [],
            "new_link": request.session.pop(NEW_LINK, None),
        },
    )


@member_required
@guard(Action.MANAGE_MEMBERS)
@require_POST
def member_role(request, user_id):
    member = _member(request, user_id)
    form = MemberRoleForm(request.POST, prefix=f"m{member.user_id}")
    if not form.is_valid():
        messages.error(request, _("Pick one of the roles."))
        return redirect("members")
    try:
        members.set_role(request.membership, member, form.cleaned_data["role"])
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": member.display_name, "role": member.get_role_display()},
        )
    return redirect("members")


@member_required
@guard(Action.SET_BACKUP)
@require_POST
def member_backup(request, user_id):
    member = _member(request, user_id)
    form = MemberBackupForm(request.POST, member=member, prefix=f"m{member.user_id}")
    if not form.is_valid():
        messages.error(request, _("Pick a colleague of this workspace, or nobody."))
        return redirect("members")
    backup = form.cleaned_data["backup"]
    try:
        members.set_backup(request.membership, member, backup)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        if backup is None:
            said = _("%(name)s has no backup now.") % {"name": member.display_name}
        else:
            said = _("%(backup)s stands in for %(name)s now.") % {
                "backup": backup.display_name, "name": member.display_name
            }
        messages.success(request, said)
    return redirect("members")


@member_required
@guard(Action.MANAGE_MEMBERS)
@require_POST
def member_remove(request, user_id):
    member = _member(request, user_id)
    try:
        members.remove(request.membership, member)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer a member of %(workspace)s.")
            % {"name": member.display_name, "workspace": request.workspace.name},
        )
    return redirect("members")


@member_required
@guard(Action.MANAGE_MEMBERS)
@require_POST
def invitation_withdraw(request, pk):
    invitation = get_object_or_404(Invitation, workspace=request.workspace, pk=pk)
    members.withdraw(invitation)
    messages.success(
        request, _("The invitation to %(email)s no longer works.") % {"email": invitation.email}
    )
    return redirect("members")


@guard(None)  # the invited colleague's private link: the token is the key
@throttled("link")
@require_http_methods(["GET", "POST"])
def join(request, token):
    invitation = members.find(token)
    if invitation is None:
        return render(request, "web/join.html", {"gone": True}, status=404)
    context = {"invitation": invitation, "workspace": invitation.workspace}
    signed_in = request.user.is_authenticated
    has_account = signed_in or find_user(invitation.email) is not None
    if has_account:
        if request.method == "POST" and signed_in:
            try:
                membership = members.accept(token, request.user)
            except Refused as exc:
                context["refusal"] = exc.message
            else:
                return _welcome(request, membership)
        return render(request, "web/join.html", {**context, "has_account": True})
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = members.join(
                token, form.cleaned_data["full_name"], form.cleaned_data["password1"]
            )
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            login(request, membership.user, backend="verbind.workspaces.backends.ThrottledBackend")
            return _welcome(request, membership)
    return render(request, "web/join.html", {**context, "form": form})


def _welcome(request, membership):
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(
        request,
        _("Welcome to %(workspace)s. Set your time zone and backup under Settings.")
        % {"workspace": membership.workspace.name},
    )
    return redirect("home")
