"""People's worker step: the search index catches up with the people who changed (SQLite)."""

from __future__ import annotations

from django.db import connection

from verbind.lib.steps import Step
from verbind.people import searchindex


class SearchIndex(Step):
    name = "refresh_search_index"
    order = 98

    def __call__(self, now) -> bool:
        return searchindex.refresh(connection) > 0


STEPS = [SearchIndex]
