"""Limit/offset pages with bounds, so a huge number is a 422, not a database error."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="how many (at most 1000)")
        offset: int = Field(0, ge=0, le=10_000_000, description="how many to skip")

    def paginate_queryset(self, queryset, pagination, request, **params):
        # One row more than asked: fewer than that, and the count is known without counting
        # (one query instead of two for a search that finds a handful; issue #13).
        offset = pagination.offset
        limit = min(pagination.limit, self.max_limit)
        items = list(queryset[offset : offset + limit + 1])
        if len(items) <= limit and (items or offset == 0):
            count = offset + len(items)
        else:
            count = self._items_count(queryset)
        return {self.items_attribute: items[:limit], "count": count}
