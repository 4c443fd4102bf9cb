"""Signing in (throttled: see ``workspaces.throttle``) and resetting a forgotten password by
an e-mailed link, with Django's own views."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from verbind.web.forms import SignInForm
from verbind.workspaces import throttle
from verbind.workspaces.permissions import guard


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(self.request, "sign_in_lock", None) is not None:
            response.status_code = 429  # for scripts; people read the message on the page
        return response


class ResetView(auth_views.PasswordResetView):
    template_name = "web/password/reset_form.html"
    email_template_name = "web/password/reset_email.txt"
    subject_template_name = "web/password/reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}  # never the Host header a stranger sent


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password/reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can read the account's mail may sign in again at once.
        throttle.forget(throttle.Scope.ACCOUNT, throttle.account_key(form.user.username))
        return response


sign_in = guard(None)(SignInView.as_view())
sign_out = guard(None)(auth_views.LogoutView.as_view())
reset = guard(None)(ResetView.as_view())
reset_sent = guard(None)(
    auth_views.PasswordResetDoneView.as_view(template_name="web/password/reset_sent.html")
)
reset_confirm = guard(None)(ResetConfirmView.as_view())
reset_complete = guard(None)(
    auth_views.PasswordResetCompleteView.as_view(template_name="web/password/reset_done.html")
)
