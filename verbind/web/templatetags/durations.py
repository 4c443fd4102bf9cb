"""How long something took, as a person says it: 25 min, 3.5 h, 2 days."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def hours_as_words(hours) -> str:
    if hours is None:
        return "–"
    if hours < 1:
        minutes = max(round(hours * 60), 1)
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if hours < 48:
        return _("%(n)s h") % {"n": f"{hours:.1f}".removesuffix(".0")}
    days = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
