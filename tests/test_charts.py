"""The one chart drawing (web/templatetags/charts.py) and the months every per-month figure
counts in (lib/months.py)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from verbind.introductions.ledger import LedgerMonth
from verbind.lib.months import month_of, month_starts
from verbind.web.templatetags.charts import bar_chart, ledger_chart

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")


def test_the_last_months_run_over_the_turn_of_the_year_oldest_first():
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert month_starts(now, 3, AMSTERDAM) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_a_moment_counts_in_the_month_it_is_in_the_members_zone():
    # 31 March 23:30 UTC is already 1 April in Amsterdam (summer time since 29 March).
    assert month_of(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), AMSTERDAM) == date(2026, 4, 1)
    assert month_of(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), UTC) == date(2026, 3, 1)


def test_a_bar_chart_names_each_bar_and_draws_none_for_an_empty_month():
    svg = bar_chart([("January", 3), ("February", None), ("March", 0), ("April", 6)], "Drops", "t1", " h")
    assert 'aria-labelledby="t1"' in svg and '<title id="t1">Drops</title>' in svg
    assert "<title>January: 3 h</title>" in svg and "<title>April: 6 h</title>" in svg
    assert svg.count("<rect") == 2  # no figure, or none at all: no bar
    assert [label in svg for label in (">Jan<", ">Feb<", ">Mar<", ">Apr<")] == [True] * 4
    heights = [float(h) for h in re.findall(r'<rect class="bar" [^>]* height="([0-9.]+)"', svg)]
    assert heights[1] == 2 * heights[0]  # April's bar twice as high as January's


def test_the_ledger_chart_puts_gives_and_gets_side_by_side_and_says_the_totals():
    months = [LedgerMonth(date(2026, 10, 1), 2, 0), LedgerMonth(date(2026, 11, 1), 1, 4)]
    with translation.override("en"):
        svg = ledger_chart({"months": months, "total_gave": 3, "total_got": 4}, "lt")
    assert "you helped 3 times, they helped 4 times" in svg
    assert svg.count('class="gave"') == 2 and svg.count('class="got"') == 1
    assert "<title>Nov, they helped you: 4</title>" in svg
    with translation.override("nl"):
        assert ">Okt<" in ledger_chart({"months": months, "total_gave": 3, "total_got": 4}, "lt")
