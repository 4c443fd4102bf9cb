"""Limit/offset pages with bounds, so a huge number is a 422, not a database error."""

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="how many (at most 1000)")
        offset: int = Field(0, ge=0, le=10_000_000, description="how many to skip")
