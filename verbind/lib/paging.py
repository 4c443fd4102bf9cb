"""A paginator that counts only when the page itself cannot tell how many there are."""

from __future__ import annotations

from django.core.paginator import Paginator


class CountingPaginator(Paginator):
    """Django's Paginator, with one query instead of two when a page is the last one.

    A page is read with one row more than fits on it. Fewer rows than that: the page is the
    last, and the count is the rows before it plus its own, exact without counting. One row
    more: there are further pages, and their number comes from the exact count as before.
    A search that finds a handful of people (the usual one) thus scans once, not twice.
    """

    def page(self, number):
        if self.orphans:
            return super().page(number)
        try:
            number = int(number) if not isinstance(number, float) else number
        except (TypeError, ValueError):
            return super().page(number)  # not a number: Django's PageNotAnInteger
        if not isinstance(number, int) or number < 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if len(rows) > self.per_page:
            self.validate_number(number)  # further pages: how many, from the exact count
            rows = rows[: self.per_page]
        elif rows or number == 1:
            self.__dict__["count"] = bottom + len(rows)  # the cached_property, known now
        else:
            return super().page(number)  # past the end: Django's EmptyPage, from the count
        return self._get_page(rows, number, self)
