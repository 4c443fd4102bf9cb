"""`lib.paging.CountingPaginator` pages as Django's Paginator does, counting less often."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from verbind.lib.paging import CountingPaginator


class Rows(list):
    """A list that tells whether it was counted, as a queryset's count() would query."""

    counted = 0

    def count(self):
        self.counted += 1
        return len(self)


@pytest.mark.parametrize("size", [0, 1, 49, 50, 51, 100, 101, 149])
@pytest.mark.parametrize("number", [1, 2, 3, "2", "x", None, 0, -1, 99, 2.0, 2.5])
def test_every_page_is_the_page_django_gives(size, number):
    ours, theirs = CountingPaginator(Rows(range(size)), 50), Paginator(list(range(size)), 50)
    page, expected = ours.get_page(number), theirs.get_page(number)
    assert list(page) == list(expected)
    assert (page.number, ours.count, ours.num_pages) == (
        expected.number,
        theirs.count,
        theirs.num_pages,
    )
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


@pytest.mark.parametrize("number", ["x", 0, 99])
def test_a_wrong_page_number_is_refused_as_django_refuses_it(number):
    with pytest.raises((PageNotAnInteger, EmptyPage)) as ours:
        CountingPaginator(Rows(range(60)), 50).page(number)
    with pytest.raises((PageNotAnInteger, EmptyPage)) as theirs:
        Paginator(list(range(60)), 50).page(number)
    assert type(ours.value) is type(theirs.value)


def test_the_last_page_is_counted_from_its_rows_and_an_earlier_one_by_counting():
    rows = Rows(range(70))
    last = CountingPaginator(rows, 50)
    assert len(last.page(2)) == 20 and last.num_pages == 2
    assert rows.counted == 0
    first = CountingPaginator(rows, 50)
    assert len(first.page(1)) == 50 and first.num_pages == 2
    assert rows.counted == 1
