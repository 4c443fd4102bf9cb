"""Changing a timeline entry after the fact: its author or a manager may, and the record
keeps what it said before (``EntryChange``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from verbind.people.models import EntryChange, Interaction
from verbind.workspaces.permissions import Action, allows, require

EDITABLE = ("kind", "direction", "channel", "occurred_at", "notes")


def may_change(interaction: Interaction, membership) -> bool:
    """The member who logged it, or a manager or owner of the workspace (docs/roles.md)."""
    if membership is None or membership.workspace_id != interaction.workspace_id:
        return False
    return allows(membership, Action.EDIT_ENTRY, interaction)


def may_remove(interaction: Interaction, membership) -> bool:
    if membership is None or membership.workspace_id != interaction.workspace_id:
        return False
    return allows(membership, Action.DELETE_ENTRY, interaction)


def _snapshot(interaction: Interaction) -> dict:
    return {
        "kind": interaction.kind,
        "direction": interaction.direction,
        "channel": interaction.channel,
        "occurred_at": interaction.occurred_at.isoformat(),
        "notes": interaction.notes,
        "member_id": interaction.member_id,
    }


@transaction.atomic
def edit(interaction: Interaction, membership, **changes) -> Interaction:
    """Change what the entry says; the old text is kept on record. Invalid: nothing changes."""
    require(membership, Action.EDIT_ENTRY, interaction)
    before = _snapshot(interaction)
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(f"{name} cannot be edited")
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.edited_at = timezone.now()
    interaction.save()
    EntryChange.objects.create(
        workspace_id=interaction.workspace_id,
        person_id=interaction.person_id,
        interaction=interaction,
        action=EntryChange.Action.EDITED,
        changed_by=membership.user,
        before=before,
    )
    return interaction


@transaction.atomic
def delete(interaction: Interaction, membership) -> None:
    """Take the entry off the timeline; the record keeps what it said and who removed it."""
    require(membership, Action.DELETE_ENTRY, interaction)
    EntryChange.objects.create(
        workspace_id=interaction.workspace_id,
        person_id=interaction.person_id,
        interaction=None,
        action=EntryChange.Action.DELETED,
        changed_by=membership.user,
        before=_snapshot(interaction),
    )
    interaction.delete()
