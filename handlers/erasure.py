"""Erasure: ``python -m bot directory forget EMAIL``.

A person's contact data leaves the directory, and everywhere in the history
(deliveries, acknowledgements, replies, the audit trail) their name and
address are replaced by a pseudonym, so the record of what happened stays
whole while the person can no longer be identified from it.  The pseudonym
is derived from the address, so every trace of one person gets the same one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from handlers import audit
from handlers.broadcasts import INDEX, part_of
from handlers.directory import DIRECTORY
from handlers.errors import NotFound
from handlers.validation import normal_email


def pseudonym(email: str) -> str:
    return "person-" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:10]


def forget(store, email: str, now: datetime, by: str = "cli") -> dict:
    """Erase the person with this e-mail; return what was changed where.

    The directory goes last, in the transaction that records the erasure:
    until then the person can still be found, so a run that was killed half
    way is completed by running it again, and the entry is written once.
    """
    email = normal_email(email)
    alias = pseudonym(email)
    with store.read(DIRECTORY) as view:
        names = {c["name"] for c in view.all("contacts") if c.get("email") == email}
    listed = bool(names)
    counts = {"contacts": 0, "history": 0}
    with store.read(INDEX) as view:
        broadcast_ids = [b["id"] for b in view.all("broadcasts")]
    for broadcast_id in broadcast_ids:
        with store.write(part_of(broadcast_id)) as tx:
            counts["history"] += _scrub_part(tx, email, names, alias)
    if not listed and not counts["history"]:
        raise NotFound("erasure.unknown", email=email)
    counts["audit"] = store.audit.rewrite(lambda entry: _scrub(entry, {email, *names}, alias))
    with store.write(DIRECTORY) as tx:
        found = [c for c in tx.all("contacts") if c.get("email") == email]
        for contact in found:
            tx.remove("contacts", contact["id"])
        counts["contacts"] = len(found)
        audit.record(tx, by, "forget", f"person:{alias}", now, **counts)
    return {"pseudonym": alias, **counts}


def _scrub_part(tx, email: str, names: set, alias: str) -> int:
    changed = 0
    for delivery in tx.all("deliveries"):
        recipient = delivery.get("recipient") or {}
        if recipient.get("email") == email:
            names.add(recipient.get("name"))
    for table in ("deliveries", "replies", "broadcast"):
        for doc in tx.all(table):
            body = {k: v for k, v in doc.items() if k != "id"}
            clean = _scrub(body, {email, *names} - {None}, alias)
            if clean != body:
                tx.put(table, doc["id"], clean)
                changed += 1
    return changed


def _scrub(value, secrets: set, alias: str):
    """``value`` with every text equal to one of ``secrets`` replaced by ``alias``."""
    if isinstance(value, dict):
        return {k: _scrub(v, secrets, alias) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets, alias) for v in value]
    if isinstance(value, str) and value in secrets:
        return alias
    return value
