"""Templates ask the one permission table (``workspaces.permissions``) which buttons to show,
so a role never sees a button it may not use."""

from __future__ import annotations

from django import template

from verbind.workspaces.permissions import Action, allows

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj=None) -> bool:
    """``{% may "merge_people" as can_merge %}``, or with an object: whose it is counts."""
    request = context.get("request")
    return allows(getattr(request, "membership", None), Action(action), obj)


@register.filter
def next_for(obligation, membership) -> list[str]:
    """The states this member may move the appointment to."""
    return [
        state
        for state in obligation.allowed_next()
        if allows(membership, obligation.action_for(state), obligation)
    ]
