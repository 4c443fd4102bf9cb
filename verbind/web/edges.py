"""What every request passes before a page sees it: no NUL characters, no impossible ids.

A NUL in a query (``?q=%00``) or a form field would reach the database, where
PostgreSQL refuses it (a server error) and SQLite stores it (a backup that
PostgreSQL cannot restore). Nobody types one, so it is taken out here, for the
pages and for the API's query strings; the API refuses one in a JSON body
(``verbind.api.middleware``).

An id in the address larger than any database column holds
(``/people/99999999999999999999/``) is simply not found, rather than an
overflow in SQLite's driver.
"""

from __future__ import annotations

from django.http import QueryDict

from verbind.lib.nul import NUL, strip_nul
from verbind.web.views.errors import not_found

LARGEST_ID = 2**63 - 1
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _cleaned(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(strip_nul(key), [strip_nul(value) for value in values])
    cleaned._mutable = False
    return cleaned


def _has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


def id_from(text: str) -> int:
    """The id a form field names, or 0 (never a row) when it is no id a database could hold."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= LARGEST_ID:
        return int(text)
    return 0


class RequestEdges:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
            "QUERY_STRING", ""
        ):
            if _has_nul(request.GET):
                request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.content_type in FORMS:
            if _has_nul(request.POST):  # RequestDataTooBig here becomes a 413 (errors.bad_request)
                request.POST = _cleaned(request.POST)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in [*view_args, *view_kwargs.values()]:
            if isinstance(value, int) and not 0 <= value <= LARGEST_ID:
                return not_found(request)
        return None
