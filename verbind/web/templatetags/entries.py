"""Templates ask the domain whether a member may change a timeline entry."""

from __future__ import annotations

from django import template

from verbind.people.entries import may_change, may_remove

register = template.Library()


@register.filter
def changeable_by(interaction, membership) -> bool:
    return may_change(interaction, membership)


@register.filter
def removable_by(interaction, membership) -> bool:
    return may_remove(interaction, membership)
