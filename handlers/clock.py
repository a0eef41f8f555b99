"""Time as the store keeps it: ISO 8601 text with the offset, comparable
after parsing.  ``now`` is always passed in, never read here.

What a person reads gets ``date`` and ``datetime`` values (``parse``,
``day``), which ``handlers.i18n.t`` writes out in their language."""

from __future__ import annotations

import re
from datetime import date, datetime

DEFAULT_TZ = "Europe/Copenhagen"  # of deadlines and reminders without KKRBOT_TZ
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def day(text: str | None) -> date | None:
    """A stored day ("2030-01-15"), such as a deadline."""
    return date.fromisoformat(text) if text else None


def from_text(value):
    """A stored ISO day or time stamp as a ``date`` or ``datetime``; any other
    value as it is.  For message parameters kept in the store (JSON), so a
    reminder's deadline reads as a date like any other."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return day(value)
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        return parse(value)
    return value
