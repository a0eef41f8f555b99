"""Recording and searching the audit trail.

Health-sector data rules ask for a log of who accessed personal data and a
follow-up on it, so every read of contact data, every change (with its old
and new value), every broadcast, acknowledgement, reply and reminder is
recorded here.  A change's entry goes into the transaction of the change
(``record(tx, ...)`` inside ``with store.write(...) as tx``), so the two are
stored or lost together; a read's entry is appended at once (``record(store, ...)``).
"""

from __future__ import annotations

from datetime import datetime

from handlers.errors import Invalid

PERSON_KEYS = ("name", "email", "title", "phone", "slack_id", "organisation")


# Reads of personal data: recorded, but not fsynced (see data/audit.py).
READS = frozenset({"read_contacts", "read_broadcast", "read_report", "read_roster", "read_appointment",
                   "read_audit", "read_delivery"})


def record(where, actor: str | None, action: str, target: str, now: datetime, **details) -> None:
    """Add an entry, timed to the microsecond, to ``where``: the transaction
    of the change it records, or the store for a read.  The trail numbers
    entries (``seq``) in the order they are stored; entries of changes are
    made durable."""
    entry = {"at": now.isoformat(timespec="microseconds"), "actor": actor or "anonymous", "action": action,
             "target": target}
    entry.update({k: v for k, v in details.items() if v is not None})
    where.audit.append(entry, durable=action not in READS)


def read(store, actor: str | None, action: str, target: str, now: datetime | None, **details) -> None:
    """Record that ``actor`` was shown personal data.  Without an actor the
    read is the product's own (a status built to answer a change) and is
    not recorded."""
    if actor:
        record(store, actor, action, target, now, **details)


def person(doc: dict | None) -> dict | None:
    """The personal fields of a contact, as the trail keeps old and new values."""
    return {k: doc.get(k) for k in PERSON_KEYS if doc.get(k) is not None} if doc else None


def search(store, *, actor: str | None = None, target: str | None = None, action: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 1000,
           reader: str | None = None, now: datetime | None = None) -> list[dict]:
    """Entries matching every filter given, newest first.  ``target`` and
    ``actor`` match a prefix ("region:" finds every region); ``since`` and
    ``until`` are ISO dates or times.  The trail names people, so the search
    itself is recorded as read by ``reader``, with its filters."""
    bounds = [_when(value, name) for name, value in (("since", since), ("until", until))]
    found = []
    for entry in store.audit.entries(since=since, until=until):
        at = datetime.fromisoformat(entry["at"])
        if (bounds[0] and at < bounds[0]) or (bounds[1] and at > bounds[1]):
            continue
        if actor and not entry["actor"].startswith(actor):
            continue
        if target and not entry["target"].startswith(target):
            continue
        if action and entry["action"] != action:
            continue
        found.append(entry)
    filters = {"actor": actor, "target": target, "action": action, "since": since, "until": until}
    read(store, reader, "read_audit", "audit", now, filters={k: v for k, v in filters.items() if v} or None)
    return found[::-1][:limit]


def _when(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("audit.bad_time", field=field, value=value, extra={"field": field}) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment
