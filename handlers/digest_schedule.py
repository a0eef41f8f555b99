"""When the weekly digest goes out: ``KKRBOT_DIGEST`` ("mon 08:30").

Read by the config factory at start, so kept light: the holiday calendar is
only loaded when a week's moment is worked out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.errors import Invalid

_DAYS = {0: ("mon", "monday", "man", "mandag"), 1: ("tue", "tuesday", "tir", "tirsdag"),
         2: ("wed", "wednesday", "ons", "onsdag"), 3: ("thu", "thursday", "tor", "torsdag"),
         4: ("fri", "friday", "fre", "fredag")}
_WEEKDAY = {name: number for number, names in _DAYS.items() for name in names}
_SCHEDULE = re.compile(r"\s*([a-zæøå]+)\.?\s+(\d{1,2})[:.](\d{2})\s*")


@dataclass(frozen=True)
class Schedule:
    """When the digest goes out: a working weekday (0 = Monday) and a time of day."""

    weekday: int
    at: time

    def moment(self, year: int, week: int, zone: ZoneInfo) -> datetime | None:
        """When the digest of ISO week ``week`` of ``year`` is due: the
        configured day, or when that is a holiday the next working day of the
        same week; None when the week has none left."""
        from handlers.workdays import is_working_day

        day = date.fromisocalendar(year, week, self.weekday + 1)
        while not is_working_day(day):
            day += timedelta(days=1)
            if day.isocalendar()[:2] != (year, week):
                return None
        return datetime.combine(day, self.at, zone)


def parse_schedule(text: str | None) -> Schedule | None:
    """``KKRBOT_DIGEST``: "mon 08:30" (English or Danish day names, "mandag
    8.30" too); empty or unset: no digest.  Anything else, a weekend day
    too, is ``Invalid``."""
    if not (text or "").strip():
        return None
    match = _SCHEDULE.fullmatch(text.lower())
    weekday = _WEEKDAY.get(match[1]) if match else None
    if weekday is None or not (0 <= int(match[2]) <= 23 and 0 <= int(match[3]) <= 59):
        raise Invalid("digest.bad_schedule", value=text, extra={"field": "KKRBOT_DIGEST"})
    return Schedule(weekday, time(int(match[2]), int(match[3])))


def week_of(moment: datetime) -> int:
    """The number of the digest record of ``moment``'s ISO week: 202713."""
    year, week, _ = moment.isocalendar()
    return year * 100 + week
