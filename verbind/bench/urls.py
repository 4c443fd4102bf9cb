"""The product's pages, plus a signed-in page that does no work: the bench's yardstick.

Its throughput is what the machine, gunicorn, Django's middleware and the session lookup
allow; `verbind bench --http` measures the other pages against it.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path

from verbind.web.views.common import member_required


@member_required
def nothing(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/nothing/", nothing),
    # By name, not imported: the product's url list sits above the bench in the layers.
    path("", include("verbind.urls")),
]
handler400 = "verbind.web.views.errors.bad_request"
handler403 = "verbind.web.views.errors.forbidden"
handler404 = "verbind.web.views.errors.not_found"
handler500 = "verbind.web.views.errors.server_error"
