"""The index of due times: which records have work due, and when.

The store part ``due`` holds one entry per record that still has work:
``send_at``, the earliest time a delivery of it is due to be sent (its next
attempt, or when its lease runs out), the lease ``owners`` (so a dead
process's claims are taken over at once), and ``remind_at``, when its next
reminder falls due.  A record with nothing left to send or remind of has no
entry.  The dispatcher and the scheduler read this one small part and visit
only the records whose time has come, so an idle tick costs the same with
ten years of history as with none.

Every change of a record runs in ``changing``, which works out the
record's due times afresh and keeps the entry at or before them: an earlier
time is written before the record's change is stored (so a crash never
leaves work the index does not show), a later one after (still under the
record's lock, so no other change can slip between).  An entry that is
early only costs a visit, which puts it right.  The same change mirrors
the record's state into its index entry (``broadcasts``, ``appointments``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from handlers import lifecycle, reminders
from handlers.clock import parse, stamp
from handlers.collections import ALL, BROADCASTS, DUE, Collection

log = logging.getLogger(__name__)

# What a record's index entry repeats of its document (the list of broadcasts shows the deadlines).
MIRRORED = ("state", "hearing_state", "closed_at", "deadline", "municipal_deadline")


@contextmanager
def changing(store, collection: Collection, record_id: int, now: datetime, *, visit: bool = False,
             mirror: bool = True) -> Iterator:
    """``store.write`` of the record's part that also settles its state and
    due times.  ``visit``: the dispatcher or scheduler came by because the
    index said so; the index entry is then checked against the record too
    (which also repairs what a crash between the two writes left).
    ``mirror=False`` leaves the index entry to the caller (a migration that
    writes them all at once)."""
    with store.write(collection.part(record_id)) as tx:
        before = tx.get(collection.doc, 1)
        yield tx
        _settle(store, collection, int(record_id), tx, before, now, visit, mirror)


def _settle(store, collection: Collection, record_id: int, tx, before: dict | None, now: datetime,
            visit: bool, mirror: bool) -> None:
    doc = tx.get(collection.doc, 1)
    if doc is None:
        return
    truth = work_due(doc, tx, now)
    if collection is BROADCASTS:
        doc = lifecycle.settle_broadcast(tx, doc, bool(truth), now)
    early = _put(store, collection, record_id, lambda entry: _earliest(entry, truth))
    fields = {k: doc.get(k) for k in MIRRORED if k in doc}
    changed = mirror and (visit or any((before or {}).get(k) != v for k, v in fields.items()))

    def after() -> None:
        try:
            if changed:
                _mirror(store, collection, record_id, fields)
            if truth != early:
                _put(store, collection, record_id, lambda _entry: truth)
        except Exception:  # noqa: BLE001 - the change is stored; an index left early only costs a visit
            log.exception("index of %s left as it was", collection.target(record_id))

    tx.after_commit(after)


def work_due(doc: dict, view, now: datetime) -> dict:
    """The record's due entry as its deliveries and reminders stand; empty when nothing is due."""
    deliveries = view.all("deliveries")
    sends = [t for t in map(lifecycle.next_send, deliveries) if t is not None]
    owners = sorted({d.get("lease_owner") or "" for d in deliveries if d["state"] == lifecycle.DeliveryState.SENDING})
    remind = reminders.next_at(doc, view, now)
    entry = {"send_at": stamp(min(sends)) if sends else None, "remind_at": stamp(remind) if remind else None,
             "owners": owners if sends else []}
    return entry if entry["send_at"] or entry["remind_at"] else {}


def to_send(store, now: datetime, is_dead) -> list[tuple[Collection, int]]:
    """Records with a delivery due at ``now`` (or a lease of a dead process), earliest first."""
    return _visits(store, lambda e: _at_or_before(e.get("send_at"), now) or any(map(is_dead, e.get("owners", []))),
                   "send_at")


def to_remind(store, now: datetime) -> list[tuple[Collection, int]]:
    """Records with a reminder due at ``now``, earliest first."""
    return _visits(store, lambda e: _at_or_before(e.get("remind_at"), now), "remind_at")


def _visits(store, wanted, field: str) -> list[tuple[Collection, int]]:
    with store.read(DUE) as view:
        found = [(e.get(field), c, e["id"]) for c in ALL for e in view.all(c.name) if wanted(e)]
    found.sort(key=lambda f: (parse(f[0]).timestamp() if f[0] else float("inf"), f[1].name, f[2]))
    return [(c, record_id) for _, c, record_id in found]


def _at_or_before(moment: str | None, now: datetime) -> bool:
    return moment is not None and parse(moment) <= now


def _earliest(entry: dict, truth: dict) -> dict:
    """What the index may say without ever saying less than ``entry`` or ``truth``."""
    if not entry or not truth:
        return entry or truth
    merged = {field: _min(entry.get(field), truth.get(field)) for field in ("send_at", "remind_at")}
    merged["owners"] = sorted(set(entry.get("owners", [])) | set(truth.get("owners", [])))
    return merged


def _min(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if parse(a) <= parse(b) else b


def _put(store, collection: Collection, record_id: int, change) -> dict:
    """Replace the record's entry by ``change(entry)``; return the new one.
    Read under the lock, not from a cached copy: this must see the last write."""
    with store.write(DUE) as tx:
        found = tx.get(collection.name, record_id)
        entry = {k: v for k, v in found.items() if k != "id"} if found else {}
        new = change(entry)
        if new and new != entry:
            tx.put(collection.name, record_id, new)
        elif not new and found is not None:
            tx.remove(collection.name, record_id)
    return new


def mirror(store, collection: Collection, record_id: int) -> None:
    """Make the record's index entry say what its document says (the end of a creation)."""
    with store.read(collection.part(record_id)) as view:
        doc = view.get(collection.doc, 1)
    if doc is not None:
        _mirror(store, collection, record_id, {k: doc.get(k) for k in MIRRORED if k in doc})


def _mirror(store, collection: Collection, record_id: int, fields: dict) -> None:
    with store.write(collection.index) as tx:  # writes only if the entry says something else
        entry = tx.get(collection.index, record_id)
        if entry is not None and any(entry.get(k) != v for k, v in fields.items()):
            tx.update(collection.index, record_id, fields)


def forget(tx, person) -> dict:
    """Erasure: the index of due times holds no personal data."""
    return {}



def next_due(store) -> tuple[datetime | None, datetime | None]:
    """When the next message and the next reminder are due, over every
    record (None: nothing); as early as the index says, so perhaps already."""
    with store.read(DUE) as view:
        entries = [e for c in ALL for e in view.all(c.name)]
    sends = [parse(e["send_at"]) for e in entries if e.get("send_at")]
    reminds = [parse(e["remind_at"]) for e in entries if e.get("remind_at")]
    return min(sends, default=None), min(reminds, default=None)
