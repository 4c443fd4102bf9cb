"""A member's working week: per weekday (Monday = 0), the local from–to hours they meet people."""

from __future__ import annotations

import re
from datetime import time

import pydantic
from django.utils.translation import gettext as _

from verbind.lib.refusals import Invalid

HOUR = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Day = str  # "0" … "6", as JSON object keys are strings


class WorkingWeek(pydantic.RootModel[dict[Day, list[tuple[str, str]]]]):
    """``{"0": [["09:00", "17:00"]], …}``, checked on write and read in one place (``hours``)."""

    model_config = pydantic.ConfigDict(frozen=True)

    @pydantic.field_validator("root")
    @classmethod
    def _sound(cls, week):
        for day, ranges in week.items():
            if day not in {str(n) for n in range(7)}:
                raise ValueError(f"{day!r} is no weekday (0 = Monday … 6 = Sunday)")
            for start, end in ranges:
                if not (HOUR.match(start) and HOUR.match(end)):
                    raise ValueError(f"{start}–{end}: write hours as HH:MM")
                if end <= start:
                    raise ValueError(f"{start}–{end}: the end must come after the start")
        return week

    def hours(self, weekday: int) -> list[tuple[time, time]]:
        """The day's ranges as times, in the member's own zone."""
        return [
            (time.fromisoformat(start), time.fromisoformat(end))
            for start, end in self.root.get(str(weekday), [])
        ]

    def as_json(self) -> dict:
        return {day: [list(pair) for pair in ranges] for day, ranges in self.root.items()}


NINE_TO_FIVE = WorkingWeek({str(day): [("09:00", "17:00")] for day in range(5)})  # Mon–Fri


class WeekInvalid(Invalid):
    code = "week"


def set_working_week(membership, week: WorkingWeek, buffer_minutes: int, notice_hours: int):
    """The member's working week, in which times are offered. A week without hours is refused."""
    from verbind.scheduling.models import Availability  # the model stores this module's type

    if not week.root:
        raise WeekInvalid(_("With no working hours on any day, Verbind can offer nobody a time."))
    availability = Availability.of(membership)
    availability.weekly_hours = week
    availability.buffer_minutes = buffer_minutes
    availability.notice_hours = notice_hours
    availability.save()
    return availability
