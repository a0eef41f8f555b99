"""Recording and searching the audit trail.

Health-sector data rules ask for a log of who accessed personal data and a
follow-up on it, so every read of contact data, every change (with its old
and new value), every broadcast, acknowledgement, reply and reminder is
recorded here.  A change's entry goes into the transaction of the change
(``record(tx, ...)`` inside ``with store.write(...) as tx``), so the two are
stored or lost together; a read's entry is appended at once (``record(store, ...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from handlers.errors import Invalid

PERSON_KEYS = ("name", "email", "title", "phone", "slack_id", "organisation")


# Reads of personal data: recorded, but not fsynced (see data/audit.py).
READS = frozenset({"read_contacts", "read_broadcast", "read_report", "read_roster", "read_appointment",
                   "read_audit", "read_delivery"})
# Every action the trail records (the README's "Audit actions"; a test
# checks this against the code): a search for any other is refused.
CHANGES = frozenset({"set_contact", "clear_contact", "export_contacts", "forget", "token_create", "token_revoke",
                     "broadcast", "forward", "acknowledge", "reply", "close", "reminder", "database_added",
                     "database_changed", "justification", "reporting", "appointment", "appointment_forwarded",
                     "appointee", "change_deadline", "teams_reference", "signin_link", "sign_in", "sign_out",
                     "digest_queued", "digest_on", "digest_off"})
ACTIONS = READS | CHANGES


def record(where, actor: str | None, action: str, target: str, now: datetime, **details) -> None:
    """Add an entry, timed to the microsecond, to ``where``: the transaction
    of the change it records, or the store for a read.  The trail numbers
    entries (``seq``) in the order they are stored; entries of changes are
    made durable."""
    entry = {"at": now.isoformat(timespec="microseconds"), "actor": actor or "anonymous", "action": action,
             "target": target}
    if details:
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


@dataclass(frozen=True)
class Page:
    """One page of the trail, newest first; ``next`` is the ``before`` that
    asks for the page after it (None on the last page)."""

    entries: list[dict]
    next: str | None


def search(store, *, actor: str | None = None, target: str | None = None, action: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 1000, before: str | None = None,
           reader: str | None = None, now: datetime | None = None) -> Page:
    """Entries matching every filter given, newest first (by ``seq``), from
    after ``before`` (an earlier page's ``next``) on.  ``target`` and
    ``actor`` match a prefix ("region:" finds every region); ``since`` and
    ``until`` are ISO dates or times.  The trail is read from its end and
    only as far as the page needs.  The trail names people, so the search
    itself is recorded as read by ``reader``, with its filters."""
    bounds = [_when(value, name) for name, value in (("since", since), ("until", until))]
    if action and action not in ACTIONS:
        raise Invalid("audit.unknown_action", value=action, actions=", ".join(sorted(ACTIONS)),
                      extra={"field": "action"})
    if before is not None and not store.audit.is_place(before):
        raise Invalid("audit.before", value=before, extra={"field": "before"})
    wanted = _matching(actor, target, action, *bounds)
    newest = store.audit.newest_first(since=since, until=until, before=before,
                                      containing=tuple(text for text in (actor, target, action) if text))
    found = list(islice(((place, entry) for place, entry in newest if wanted(entry)), limit + 1))
    filters = {"actor": actor, "target": target, "action": action, "since": since, "until": until}
    read(store, reader, "read_audit", "audit", now, filters={k: v for k, v in filters.items() if v} or None)
    page = found[:limit]
    return Page([entry for _, entry in page], page[-1][0] if len(found) > limit else None)


def _matching(actor, target, action, since: datetime | None, until: datetime | None):
    def wanted(entry: dict) -> bool:
        if (actor and not entry["actor"].startswith(actor)) or (target and not entry["target"].startswith(target)):
            return False
        if action and entry["action"] != action:
            return False
        if since or until:
            at = datetime.fromisoformat(entry["at"])
            return not ((since and at < since) or (until and at > until))
        return True

    return wanted


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
