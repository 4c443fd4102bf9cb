"""Small bar charts drawn on the server as SVG: no script, no CDN, readable by screen readers
(a title, and each bar's value as its own title)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

WIDTH, HEIGHT, TOP, BOTTOM, SIDE = 360, 130, 14, 20, 4


@register.simple_tag
def bar_chart(points, title: str, title_id: str, unit: str = ""):
    """*points*: (label, value or None) pairs, oldest first. An empty month draws no bar."""
    points = list(points)
    if not points:
        return ""
    most = max([value for _label, value in points if value] or [1])
    inner = HEIGHT - TOP - BOTTOM
    step = (WIDTH - 2 * SIDE) / len(points)
    bars, labels = [], []
    for i, (label, value) in enumerate(points):
        x = SIDE + i * step
        height = inner * (value or 0) / most
        shown = "–" if value is None else (f"{value:g}{unit}")
        bars.append(
            (
                f"{x + step * 0.18:.1f}",
                f"{TOP + inner - height:.1f}",
                f"{step * 0.64:.1f}",
                f"{height:.1f}",
                label,
                shown,
            )
        )
        labels.append((f"{x + step / 2:.1f}", HEIGHT - 5, label[:3]))
    return format_html(
        '<svg class="bar-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}{}</svg>',
        WIDTH,
        HEIGHT,
        title_id,
        title_id,
        title,
        format_html_join(
            "", '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>', bars
        ),
        format_html_join("", '<text x="{}" y="{}" text-anchor="middle">{}</text>', labels),
    )
