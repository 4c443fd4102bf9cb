"""What a message commits to: concrete dates to pick from, or a new promised time."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pydantic


class NextStep(pydantic.BaseModel):
    """A message's next step. Empty (falsy) when it offers none."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    kind: Literal["times", "new_due"] | None = None
    times: list[pydantic.AwareDatetime] = []
    due_at: pydantic.AwareDatetime | None = None
    proposal: int | None = None  # the private link that holds the times, once made
    host: int | None = None  # the membership whose free times these are (a stand-in, say)
    # What the link books when it is not the message's own meeting again.
    title: str | None = None
    place: str | None = None
    minutes: int | None = None

    @pydantic.model_validator(mode="after")
    def _complete(self) -> NextStep:
        if self.kind == "times" and not self.times:
            raise ValueError("dates to pick from need at least one time")
        if self.kind == "new_due" and self.due_at is None:
            raise ValueError("a new promised time needs its moment")
        return self

    def __bool__(self) -> bool:
        return self.kind is not None

    @classmethod
    def of(cls, times: list[datetime], new_due: datetime | None) -> NextStep:
        if times:
            return cls(kind="times", times=times)
        if new_due:
            return cls(kind="new_due", due_at=new_due)
        return cls()

    def held_on(self, proposal_id: int) -> NextStep:
        return self.model_copy(update={"proposal": proposal_id})
