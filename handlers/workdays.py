"""Working days in Denmark, for reminders "2 working days after" and "3
working days before".

Weekends and Danish public holidays (the ``holidays`` package) are not
working days; nor are Christmas Eve, New Year's Eve and Constitution Day,
which the public sector takes off by agreement though they are not public
holidays in law.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

DAYS_OFF_BY_AGREEMENT = ("Christmas Eve", "New Year's Eve", "Constitution Day")


@lru_cache(maxsize=32)
def days_off(year: int) -> frozenset[date]:
    public = holidays.Denmark(years=year)
    everything = holidays.Denmark(years=year, categories=holidays.Denmark.supported_categories)
    agreed = {day for day, name in everything.items() if name in DAYS_OFF_BY_AGREEMENT}
    return frozenset(public) | frozenset(agreed)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def add_working_days(day: date, count: int) -> date:
    """The working day ``count`` working days after ``day`` (before, if negative)."""
    step = timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day
