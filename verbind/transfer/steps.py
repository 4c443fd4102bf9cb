"""Transfer's worker step: uploads that were previewed but never imported are removed."""

from __future__ import annotations

from verbind.lib.steps import Step
from verbind.transfer import pending


class StaleUploads(Step):
    name = "remove_stale_uploads"
    order = 100

    def __call__(self, now) -> bool:
        return pending.remove_stale(now) > 0


STEPS = [StaleUploads]
