"""A year of touchpoints and health as a small SVG drawn on the server (no script, no CDN)."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 360, 140, 10, 22, 6


@register.simple_tag
def year_chart(months, title_id: str):
    """Bars: touches per month. Line: health (how many were in touch within their rhythm)."""
    if not months:
        return ""
    most = max(max(m.touches for m in months), 1)
    inner = HEIGHT - TOP - BOTTOM
    step = (WIDTH - 2 * LEFT) / len(months)
    bars, labels, points = [], [], []
    for i, month in enumerate(months):
        x = LEFT + i * step
        h = inner * month.touches / most
        name = formats.date_format(month.first, "M")
        bars.append(
            (
                f"{x + step * 0.2:.1f}",
                f"{TOP + inner - h:.1f}",
                f"{step * 0.6:.1f}",
                f"{h:.1f}",
                name,
                month.touches,
            )
        )
        labels.append((f"{x + step / 2:.1f}", HEIGHT - 6, name[:3]))
        points.append(f"{x + step / 2:.1f},{TOP + inner * (1 - month.warmth):.1f}")
    summary = _("Touchpoints per month (bars) and health (line) over the last twelve months.")
    return format_html(
        '<svg class="year-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}{}'
        '<polyline class="health-line" points="{}" fill="none"/></svg>',
        WIDTH,
        HEIGHT,
        title_id,
        title_id,
        summary,
        format_html_join(
            "",
            '<rect class="touch-bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
            bars,
        ),
        format_html_join("", '<text x="{}" y="{}" text-anchor="middle">{}</text>', labels),
        " ".join(points),
    )
