"""A person's home in Slack: what waits for them (notices to acknowledge,
hearings to answer) and the broadcasts they sent, with how far each got.

A Slack user is recognised as a message's recipient the way the buttons
recognise them (the delivery's recipient's Slack ID, recorded when the DM
was sent), and as a broadcast's sender by its ``creator``'s Slack ID.  Only
the newest ``RECENT`` records of each collection are read, so opening the
home costs the same however long the history grows.
"""

from __future__ import annotations

from datetime import datetime

from handlers import lifecycle
from handlers.broadcasts import KINDS
from handlers.collections import ALL, APPOINTMENTS, BROADCASTS, Collection, named
from handlers.enums import Tier

RECENT = 50  # newest records of each collection looked through
SHOWN = 10   # broadcasts of one's own listed
REACHED = (lifecycle.DeliveryState.SENT, lifecycle.DeliveryState.ACKNOWLEDGED)


def home(store, slack_user: str, now: datetime) -> dict:
    """``{"waiting": [...], "sent": [...]}`` for ``slack_user``, newest first.

    A waiting item: the record (``collection``, ``record``, ``delivery``),
    its kind, database, title and deadline, and what it waits for:
    ``acknowledge`` and/or ``reply``.  A sent item: the broadcast and its
    counts (regions acknowledged of all, municipalities reached and
    acknowledged, replies)."""
    waiting, sent = [], []
    for collection in ALL:
        for record_id in _recent(store, collection):
            with store.read(collection.part(record_id)) as view:
                doc, deliveries, replies = view.get(collection.doc, 1), view.all("deliveries"), view.all("replies")
            if doc is None or (collection is BROADCASTS and doc.get("kind") not in KINDS):
                continue
            waiting += _waiting(collection, record_id, doc, deliveries, replies, slack_user, now)
            if collection is BROADCASTS and (doc.get("creator") or {}).get("slack_id") == slack_user:
                sent.append(_progress(record_id, doc, deliveries, replies, now))
    waiting.sort(key=lambda item: (item["collection"] != APPOINTMENTS.name, item["record"]), reverse=True)
    return {"waiting": waiting, "sent": sent[:SHOWN]}


def _recent(store, collection: Collection) -> list[int]:
    hidden = (lifecycle.BroadcastState.CREATING, lifecycle.BroadcastState.MOVED)
    with store.read(collection.index) as view:
        ids = [e["id"] for e in view.all(collection.index) if e.get("state") not in hidden]
    return sorted(ids, reverse=True)[:RECENT]


def _waiting(collection: Collection, record_id: int, doc: dict, deliveries: list[dict], replies: list[dict],
             slack_user: str, now: datetime) -> list[dict]:
    found = []
    open_hearing = lifecycle.hearing_state(doc, now) in (lifecycle.HearingState.OPEN,
                                                         lifecycle.HearingState.PAST_DEADLINE)
    for delivery in deliveries:
        if not lifecycle.is_notice(delivery) or (delivery.get("recipient") or {}).get("slack_id") != slack_user:
            continue
        needs = []
        if lifecycle.acknowledgeable(delivery):
            needs.append("acknowledge")
        if open_hearing and delivery["state"] in REACHED and not _replied(delivery, replies):
            needs.append("reply")
        if needs:
            found.append({"collection": collection.name, "record": record_id, "delivery": delivery["id"],
                          "kind": doc.get("kind"), "database": doc.get("database"), "title": doc.get("title"),
                          "deadline": _deadline_of(doc, delivery), "needs": needs})
    return found


def _replied(delivery: dict, replies: list[dict]) -> bool:
    municipality = delivery["municipality"] if delivery["tier"] == Tier.MUNICIPALITY else None
    return any(r["region"] == delivery["region"] and r["municipality"] == municipality for r in replies)


def _deadline_of(doc: dict, delivery: dict) -> str | None:
    """The deadline this recipient has: a municipality's own, else the hearing's."""
    if delivery["tier"] == Tier.MUNICIPALITY and doc.get("municipal_deadline"):
        return doc["municipal_deadline"]
    return doc.get("deadline")


def _progress(record_id: int, doc: dict, deliveries: list[dict], replies: list[dict], now: datetime) -> dict:
    notices = [d for d in deliveries if lifecycle.is_notice(d)]
    first = [d for d in notices if d["tier"] == Tier.REGION]
    second = [d for d in notices if d["tier"] == Tier.MUNICIPALITY]
    acknowledged = lifecycle.DeliveryState.ACKNOWLEDGED
    return {"id": record_id, "kind": doc["kind"], "database": doc["database"], "title": doc["title"],
            "state": doc.get("state"), "hearing_state": lifecycle.hearing_state(doc, now),
            "regions": len(first), "regions_acknowledged": sum(d["state"] == acknowledged for d in first),
            "municipalities_reached": sum(d["state"] in REACHED for d in second),
            "municipalities_acknowledged": sum(d["state"] == acknowledged for d in second),
            "regional_replies": sum(r["municipality"] is None for r in replies),
            "municipal_replies": sum(r["municipality"] is not None for r in replies)}


def sender_of(store, collection: str, record_id: int) -> str | None:
    """The Slack user who sent a record (whose home counts its progress), if known."""
    where = named(collection)
    with store.read(where.part(record_id)) as view:
        doc = view.get(where.doc, 1) or {}
    return (doc.get("creator") or {}).get("slack_id")
