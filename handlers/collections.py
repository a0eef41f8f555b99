"""The collections of records that kkr-bot sends: broadcasts and
appointment requests down the chain, and the weekly digests.

Each has its own ids, its own index part (``broadcasts``,
``appointments``: one entry per record, with its creation key and state)
and one part per record (``broadcast-<id>``, ``appointment-<id>``) holding
its own document, its deliveries and its reminders.  All kinds of
delivery go through the same machinery (``handlers.deliveries``).  The
records themselves, typed, are ``handlers.records``; these names are apart
so that what only needs a part's name (the shell's start) does not build
the record classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.errors import NotFound

DUE = "due"  # the store part of the index of due times (handlers.due)


@dataclass(frozen=True)
class Collection:
    name: str        # in part names, audit targets, link tokens and file names
    index: str       # the index part, and its table
    doc: str         # the record's own document in its part (key 1)
    not_found: str   # the message when an id is unknown

    def part(self, record_id) -> str:
        return f"{self.name}-{int(record_id)}"

    def target(self, record_id) -> str:
        """How the audit trail names the record."""
        return f"{self.name}:{int(record_id)}"

    def unknown(self, record_id) -> NotFound:
        return NotFound(self.not_found, id=record_id)


BROADCASTS = Collection("broadcast", "broadcasts", "broadcast", "broadcast.not_found")
APPOINTMENTS = Collection("appointment", "appointments", "request", "appointment.unknown")
# The weekly digest: a record per ISO week (202713), its deliveries one per person (handlers.digest).
DIGESTS = Collection("digest", "digests", "digest", "digest.unknown")
ALL = (BROADCASTS, APPOINTMENTS, DIGESTS)


def named(name: str) -> Collection:
    return next(c for c in ALL if c.name == name)
