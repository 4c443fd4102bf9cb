"""Small charts drawn on the server as SVG: no script, no CDN, readable by screen readers (a
title for the whole, and each bar's value as its own title). One drawing for every chart:
bars per month (one series or two side by side), and a line over them when asked."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT, TOP, BOTTOM, SIDE = 360, 130, 12, 20, 4


@dataclass
class Series:
    css: str  # the class of its bars (their colour is in the style sheet)
    name: str  # what a bar's own title says before its value
    values: list  # one number (or None: nothing to show) per label
    unit: str = ""


def draw(labels, series, title: str, title_id: str, css: str, line=None):
    """*labels* along the bottom; *series* as bars side by side in each slot; *line*: values
    from 0 to 1, one per label, drawn over the bars."""
    if not labels:
        return ""
    most = max([v for s in series for v in s.values if v] or [1])
    inner = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - 2 * SIDE) / len(labels)
    width = slot * 0.64 / len(series)
    bars, texts, points = [], [], []
    for i, label in enumerate(labels):
        x = SIDE + i * slot
        for n, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue  # nothing that month: no bar (the chart's title says the whole)
            height = inner * (value or 0) / most
            shown = "–" if value is None else f"{value:g}{s.unit}"
            said = f"{label}, {s.name}: {shown}" if s.name else f"{label}: {shown}"
            left = x + slot * 0.18 + n * width
            bars.append(
                (s.css, f"{left:.1f}", f"{TOP + inner - height:.1f}", f"{width:.1f}",
                 f"{height:.1f}", said)
            )
        texts.append((f"{x + slot / 2:.1f}", HEIGHT - 5, label[:3]))
        if line is not None:
            points.append(f"{x + slot / 2:.1f},{TOP + inner * (1 - line[i]):.1f}")
    polyline = (
        format_html('<polyline class="line" points="{}" fill="none"/>', " ".join(points))
        if points
        else ""
    )
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}{}{}</svg>',
        css,
        WIDTH,
        HEIGHT,
        title_id,
        title_id,
        title,
        format_html_join(
            "",
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            bars,
        ),
        format_html_join("", '<text x="{}" y="{}" text-anchor="middle">{}</text>', texts),
        polyline,
    )


def _month(first) -> str:
    return formats.date_format(first, "M")


@register.simple_tag
def bar_chart(points, title: str, title_id: str, unit: str = ""):
    """*points*: (label, value or None) pairs, oldest first. An empty month draws no bar."""
    points = list(points)
    labels = [label for label, _value in points]
    return draw(labels, [Series("bar", "", [v for _l, v in points], unit)], title, title_id, "bars")


@register.simple_tag
def year_chart(months, title_id: str):
    """Bars: touches per month. Line: health (how many were in touch within their rhythm)."""
    return draw(
        [_month(m.first) for m in months],
        [Series("touch-bar", _("touchpoints"), [m.touches for m in months])],
        _("Touchpoints per month (bars) and health (line) over the last twelve months."),
        title_id,
        "year-chart",
        line=[m.warmth for m in months],
    )


@register.simple_tag
def ledger_chart(chart, title_id: str):
    """Gives and gets side by side per month (``introductions.ledger.chart``)."""
    months = chart["months"]
    return draw(
        [_month(m.first) for m in months],
        [
            Series("gave", _("you helped them"), [m.gave for m in months]),
            Series("got", _("they helped you"), [m.got for m in months]),
        ],
        _("Last twelve months: you helped %(gave)s times, they helped %(got)s times.")
        % {"gave": chart["total_gave"], "got": chart["total_got"]},
        title_id,
        "ledger-chart",
    )
