"""Bringing a store written by an older version up to date, at every start.

1. Appointment requests that older versions kept as broadcasts of kind
   "appointment" (an entry in the ``broadcasts`` index, a part
   ``broadcast-N``) move to their own collection under the same number
   (``appointments`` entry N, part ``appointment-N``; new requests are
   numbered after the highest).  The old index entry stays, marked
   ``moved``, so the e-mailed links and Slack buttons sent for the request
   still reach it (``deliveries.located``); the old part is deleted once the
   new one is written.
2. Every broadcast gets its state, and the index of due times
   (``handlers.due``) its entry.

Each step is idempotent and the store is marked migrated only when all are
done, so a start killed half way is completed by the next; starts wait for
each other (a lock), so gunicorn's workers migrate once.
"""

from __future__ import annotations

from datetime import datetime

from handlers.clock import DEFAULT_TZ, stamp
from handlers.collections import APPOINTMENTS, BROADCASTS, DUE
from handlers.enums import BroadcastState, Kind

VERSION = 1
LOCK = "migration"
SKIPPED = ("audit_pending",)  # published to the trail at start (``Store.recover``), before this runs


def migrate(store, now: datetime, tz: str = DEFAULT_TZ) -> bool:
    """Bring the store up to date; return whether there was anything to do.
    ``tz``: the zone of records that do not name their own (``KKRBOT_TZ``)."""
    if _migrated(store):
        return False
    with store.lock_of(LOCK):
        if _migrated(store):
            return False
        _migrate(store, now, tz)
    return True


def _migrate(store, now: datetime, tz: str) -> None:
    with store.read(BROADCASTS.index) as view:
        entries = view.all(BROADCASTS.index)
    for entry in entries:
        if entry.get("kind") == Kind.APPOINTMENT:
            _move_request(store, entry, now, tz)
    _settle_broadcasts(store, [e["id"] for e in entries if e.get("kind") != Kind.APPOINTMENT], now, tz)
    with store.write(DUE) as tx:
        tx.put("meta", 1, {"version": VERSION, "migrated_at": stamp(now)})


def _migrated(store) -> bool:
    with store.read(DUE) as view:
        meta = view.get("meta", 1)
    return bool(meta) and meta.get("version", 0) >= VERSION


def _move_request(store, entry: dict, now: datetime, tz: str) -> None:
    # handlers.due and handlers.lifecycle (with the typed records) are imported only when there
    # is something to migrate: a start of the CLI or the shell on a migrated store must not
    # load the scheduler's rules and the record classes with it.
    from handlers import due, lifecycle

    request_id = entry["id"]
    if entry.get("state") != BroadcastState.MOVED:
        with store.write(APPOINTMENTS.index) as tx:
            if tx.get(APPOINTMENTS.index, request_id) is None:
                tx.put(APPOINTMENTS.index, request_id, {k: v for k, v in entry.items() if k != "id"})
        with store.read(BROADCASTS.part(request_id)) as view:
            old = {table: view.all(table) for table in view.tables() if table not in SKIPPED}
        with due.changing(store, APPOINTMENTS, request_id, now, visit=True) as tx:
            if tx.get(APPOINTMENTS.doc, 1) is None and old.get(BROADCASTS.doc):
                _copy(tx, old, tz)
        with store.write(BROADCASTS.index) as tx:
            lifecycle.moved(tx, BROADCASTS.index, request_id, APPOINTMENTS.target(request_id))
    with store.read(APPOINTMENTS.part(request_id)) as view:
        copied = view.get(APPOINTMENTS.doc, 1) is not None
    if copied:
        store.remove(BROADCASTS.part(request_id))


def _copy(tx, old: dict, tz: str) -> None:
    """The request's document and its tables, under the same keys."""
    from handlers import lifecycle  # see _move_request

    doc = old[BROADCASTS.doc][0]
    tx.put(APPOINTMENTS.doc, 1, lifecycle.adopted_request(doc, tz))
    for table, docs in old.items():
        if table != BROADCASTS.doc:
            for item in docs:
                tx.put(table, item["id"], item)


def _settle_broadcasts(store, ids: list[int], now: datetime, tz: str) -> None:
    from handlers import due  # see _move_request

    """Each broadcast's state and due times; their index entries in one write at the end."""
    states = {}
    for broadcast_id in ids:
        with due.changing(store, BROADCASTS, broadcast_id, now, mirror=False) as tx:
            doc = tx.get(BROADCASTS.doc, 1)
            if doc is not None and not doc.get("tz"):
                tx.update(BROADCASTS.doc, 1, {"tz": tz})
        with store.read(BROADCASTS.part(broadcast_id)) as view:
            doc = view.get(BROADCASTS.doc, 1)
        if doc is not None:
            states[broadcast_id] = {k: doc[k] for k in due.MIRRORED if k in doc}
    with store.write(BROADCASTS.index) as tx:
        for broadcast_id, fields in states.items():
            if tx.get(BROADCASTS.index, broadcast_id) is not None:
                tx.update(BROADCASTS.index, broadcast_id, fields)
