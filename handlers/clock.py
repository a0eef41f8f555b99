"""Time as the store keeps it: ISO 8601 text with the offset, comparable
after parsing.  ``now`` is always passed in, never read here."""

from __future__ import annotations

from datetime import datetime


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
