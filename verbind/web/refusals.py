"""The web's handlers for what a person should not meet as a server answer: refusals (the
message on the page they came from) and an action's address opened directly."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from verbind.lib.refusals import Refused
from verbind.workspaces.permissions import NotAllowed


class ShowRefusals:
    """A ``Refused`` from a page's action becomes a message on the page the member came from.

    Views that answer a refusal in place (a form field, an htmx fragment) catch it
    themselves; everything else ends here rather than in a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method == "GET"
            and not request.path.startswith("/api/")
            and not response.content
        ):
            # An action's address opened directly (a link shared, a bookmark): a page, not a
            # bare browser error.
            page = render(request, "web/405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, Refused) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotAllowed):  # not for this role: say so here, not elsewhere
            return render(request, "web/403.html", {"reason": exception.message}, status=403)
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/"
        return redirect(back)
