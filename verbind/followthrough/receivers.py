"""A lapse on our side opens its repair the moment it is recorded, not at the next worker pass."""

from __future__ import annotations

from django.dispatch import receiver

from verbind.followthrough.repairs import lapse_kind, open_repair
from verbind.obligations.models import obligation_changed


@receiver(obligation_changed)
def open_repair_on_lapse(sender, obligation, old, new, by, **kwargs):
    kind = lapse_kind(obligation)
    if kind is not None:
        open_repair(obligation, kind)
