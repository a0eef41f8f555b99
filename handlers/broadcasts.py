"""Broadcasts: what RKKP sends down the KKR chain, and where it stands.

A broadcast lives in its own store part (``broadcast-<id>``) with all of its
deliveries, so recording an acknowledgement rewrites one small file however
many broadcasts came before; the ``broadcasts`` part only indexes them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime

from handlers import audit, databases, directory, due, lifecycle
from handlers.clock import stamp
from handlers.collections import BROADCASTS, Collection
from handlers.enums import BROADCAST_KINDS, BroadcastState, DeliveryState, Kind, Tier
from handlers.errors import Invalid, NotFound
from handlers.lifecycle import is_notice, new_delivery, reachable  # noqa: F401 - the names others import from here
from handlers.records import Broadcast, Delivery
from handlers.validation import text_fields
from handlers.workdays import add_working_days

INDEX = "broadcasts"
KINDS = BROADCAST_KINDS
FIELDS = ("kind", "database", "title", "body", "link", "deadline", "municipal_deadline")
LIMITS = {"kind": 20, "database": 40, "title": 200, "body": 20_000, "link": 2_000, "deadline": 20,
          "municipal_deadline": 20}
# Working days the municipalities' deadline lies before the hearing's by
# default: the KKR contact needs them to consolidate the region's replies.
MUNICIPAL_LEAD = 5
PAGE, MAX_PAGE = 50, 200  # broadcasts per page of the list: by default, at most
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def part_of(broadcast_id: int) -> str:
    return BROADCASTS.part(broadcast_id)


def broadcast_fields(raw: dict, today: date, store) -> dict:
    """The checked fields of a new broadcast, or ``Invalid`` naming the
    field; a database the store does not know is refused with suggestions."""
    fields = text_fields(raw, FIELDS, LIMITS, required=("kind", "database", "title"), multiline=("body",))
    if fields["kind"] not in KINDS:
        raise Invalid("broadcast.kind", kind=fields["kind"], kinds=", ".join(KINDS), extra={"field": "kind"})
    with store.read(databases.PART) as view:
        fields["database"] = databases.known(view, fields["database"])["code"]
    if fields["link"] and not _LINK.match(fields["link"]):
        raise Invalid("broadcast.link", value=fields["link"], extra={"field": "link"})
    fields["deadline"] = _deadline(fields["deadline"], fields["kind"], today)
    fields["municipal_deadline"] = _municipal_deadline(fields, today)
    return fields


def deadlines(raw: dict, today: date) -> tuple[str, str]:
    """A hearing's new deadline and municipal deadline, checked as at its
    creation (the municipal one: as given, else ``MUNICIPAL_LEAD`` working
    days before the deadline); ``Invalid`` naming the field."""
    fields = {"kind": Kind.HEARING}
    for name in ("deadline", "municipal_deadline"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise Invalid("broadcast.deadline_format", value=value, extra={"field": name})
        fields[name] = (value or "").strip() or None
    fields["deadline"] = _deadline(fields["deadline"], "hearing", today)
    return fields["deadline"], _municipal_deadline(fields, today)


def _deadline(value: str | None, kind: str, today: date) -> str | None:
    if not value:
        if kind == Kind.HEARING:
            raise Invalid("broadcast.deadline_required", extra={"field": "deadline"})
        return None
    return _future_day(value, "deadline", today).isoformat()


def _municipal_deadline(fields: dict, today: date) -> str | None:
    """The hearing's deadline for the municipalities' replies to their KKR
    contact: as given (from today up to the hearing's deadline), else
    ``MUNICIPAL_LEAD`` working days before that deadline, but not before today."""
    value, field = fields["municipal_deadline"], "municipal_deadline"
    if fields["kind"] != Kind.HEARING:
        if value:
            raise Invalid("broadcast.municipal_deadline_hearing_only", extra={"field": field})
        return None
    deadline = date.fromisoformat(fields["deadline"])
    if not value:
        return max(add_working_days(deadline, -MUNICIPAL_LEAD), today).isoformat()
    day = _future_day(value, field, today)
    if day > deadline:
        raise Invalid("broadcast.municipal_deadline_after", value=day, deadline=deadline,
                      extra={"field": field})
    return day.isoformat()


def _future_day(value: str, field: str, today: date) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid("broadcast.deadline_format", value=value, extra={"field": field}) from None
    if day < today:
        raise Invalid(f"broadcast.{field}_past", value=day, extra={"field": field})
    return day


def create_broadcast(store, raw: dict, by: str, now: datetime, key: str | None = None,
                     creator: dict | None = None) -> tuple[dict, bool]:
    """Record a broadcast and queue one delivery per region (tier 1); return
    its status and whether this call created it.

    ``key`` makes creation idempotent: a retried request or a double click
    with the same key returns the broadcast made the first time, and
    completes it if the first call was killed half way.  ``creator`` (name,
    e-mail, Slack ID) is who gets the hearing's deadline summary.
    """
    fields = broadcast_fields(raw, now.date(), store)
    entry, created = begin_creation(store, key, {**fields, "created_by": by, "created_at": stamp(now)})

    def write_part(tx) -> None:
        made_by = entry["created_by"]
        tx.put("broadcast", 1, lifecycle.new_broadcast({
            **{k: entry.get(k) for k in FIELDS}, "created_by": made_by, "created_at": entry["created_at"],
            "creator": creator or consultant_contact(store, made_by)}, now))
        for delivery in tier_one_plan(store):
            lifecycle.queue(tx, delivery, now)
        audit.record(tx, made_by, "broadcast", f"broadcast:{entry['id']}", now, kind=entry["kind"],
                     database=entry["database"], title=entry["title"])

    finish_creation(store, entry, write_part, now)
    return status(store, entry["id"]), created


def begin_creation(store, key: str | None, fields: dict, collection: Collection = BROADCASTS) -> tuple[dict, bool]:
    """The index entry of a new record of ``collection``, in state
    "creating" (it holds the fields, so that a retry can complete it), or
    the one made earlier with ``key``; and whether this call made it."""
    with store.write(collection.index) as tx:
        existing = [e for e in tx.find(collection.index, key=key)
                    if e.get("state") != BroadcastState.MOVED] if key else []
        if existing:
            return existing[0], False
        return tx.insert(collection.index, {**fields, "key": key, **lifecycle.creating()}), True


def finish_creation(store, entry: dict, write_part, now: datetime, collection: Collection = BROADCASTS) -> None:
    """Complete a creation still in state "creating": its part is written by
    ``write_part(tx)`` (with the creation's audit entry) unless a call that
    was killed afterwards already did, then its index entry takes the
    record's state.  Each step is idempotent, so any call with the key can
    finish it."""
    if entry.get("state") != BroadcastState.CREATING:
        return
    with due.changing(store, collection, entry["id"], now) as tx:
        if tx.get(collection.doc, 1) is None:
            write_part(tx)
    due.mirror(store, collection, entry["id"])


def consultant_contact(store, name: str) -> dict:
    """The directory's consultant of that name, for an API caller (whose
    token carries only a name); else just the name."""
    with store.read(directory.DIRECTORY) as view:
        for person in view.find("contacts", role="consultant"):
            if person["name"].casefold() == (name or "").casefold():
                return {"name": person["name"], "email": person["email"], "slack_id": person.get("slack_id")}
    return {"name": name, "email": None, "slack_id": None}


def tier_one_plan(store) -> list[dict]:
    """One queued delivery per region: to its KKR contact, or to the KL
    contact (marked as fallback) while the region has none."""
    plan = []
    for answer in directory.all_regions(store):
        person = answer.contact or answer.route_via
        plan.append(new_delivery(tier=Tier.REGION, region=answer.region.code,
                                 person=person.to_dict() if person else None, fallback=answer.contact is None))
    return plan


def forget(tx, person) -> dict:
    """Erasure in a broadcast's part (or the index): the person's name and
    address become the pseudonym throughout its history, which stays whole
    (who acknowledged, replied, forwarded); what was still to be sent to
    them is not sent."""
    for delivery in tx.all("deliveries"):
        if person.is_them(delivery.get("recipient")):
            lifecycle.erased(tx, delivery)
    return {"history": person.scrub_tables(tx)}


def list_broadcasts(store, actor: str | None = None, now: datetime | None = None) -> list[dict]:
    """Every broadcast, newest first, without its deliveries, with its
    state (and a hearing's, as at ``now``).  They name who created them, so
    ``actor``'s read is recorded."""
    return page_of_broadcasts(store, actor, now, limit=None).broadcasts


@dataclass
class BroadcastPage:
    """Broadcasts newest first; ``next`` is the ``before`` of the page after (None on the last)."""

    broadcasts: list[dict]
    next: int | None


def page_of_broadcasts(store, actor: str | None = None, now: datetime | None = None, *,
                       limit: int | None = PAGE, before: int | None = None) -> BroadcastPage:
    """Up to ``limit`` broadcasts (all with None), newest first, those with
    an id below ``before`` (an earlier page's ``next``), as ``list_broadcasts``
    shows them.  A cursor by id, so broadcasts sent meanwhile do not shift
    the pages.  The order is kept per version of the index, so a page costs
    the same however many broadcasts came before."""
    with store.read(INDEX) as view:
        newest = view.memo("newest_first", _newest_first)
    start = 0 if before is None else bisect.bisect_left(newest.negated_ids, -before + 1)
    end = len(newest.entries) if limit is None else start + limit
    page = newest.entries[start:end]
    audit.read(store, actor, "read_broadcast", "broadcasts", now)
    more = end < len(newest.entries)
    return BroadcastPage([_summary(b, doc, now) for b, doc in page], page[-1][0].id if more and page else None)


def page_bounds(limit: str | None, before: str | None) -> tuple[int, int | None]:
    """``limit`` and ``before`` of a request for a page, checked: ``limit``
    1 to ``MAX_PAGE`` (default ``PAGE``), ``before`` a broadcast's id."""
    limit = str(PAGE) if limit is None else limit
    if not (limit.isascii() and limit.isdigit() and 0 < int(limit) <= MAX_PAGE):
        raise Invalid("broadcast.limit", limit=MAX_PAGE, extra={"field": "limit"})
    if before is not None and not (before.isascii() and before.isdigit() and len(before) <= 18 and int(before)):
        raise Invalid("broadcast.before", value=before, extra={"field": "before"})
    return int(limit), int(before) if before is not None else None


@dataclass
class _NewestFirst:
    entries: list[tuple[Broadcast, dict]]
    negated_ids: list[int]  # ascending, for bisect


def _newest_first(view) -> _NewestFirst:
    hidden = (BroadcastState.CREATING, BroadcastState.MOVED)
    entries = [(Broadcast.from_doc(b), b) for b in view.all("broadcasts")]
    entries = [(b, doc) for b, doc in entries if b.state not in hidden and b.kind in KINDS]
    entries.sort(key=lambda pair: pair[0].id, reverse=True)
    return _NewestFirst(entries, [-b.id for b, _ in entries])


def _summary(entry: Broadcast, doc: dict, now: datetime | None) -> dict:
    found = {k: v for k, v in doc.items() if k != "key"}
    if entry.is_hearing:
        found["hearing_state"] = lifecycle.hearing_state(doc, now)
    return found


def status(store, broadcast_id, actor: str | None = None, now: datetime | None = None) -> dict:
    """A broadcast's fields and, per region, where its delivery stands (with
    recipients' names and e-mails: ``actor``'s read is recorded)."""
    broadcast_id = _id(broadcast_id)
    with store.read(part_of(broadcast_id)) as view:
        broadcast = view.get("broadcast", 1)
        deliveries = [Delivery.from_doc(d) for d in view.all("deliveries")]
        replies = view.all("replies")
    if broadcast is None or Broadcast.from_doc(broadcast).kind not in KINDS:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    hearing = Broadcast.from_doc(broadcast).is_hearing
    with store.read(directory.DIRECTORY) as view:
        regions = {r["code"]: r for r in view.all("regions")}
        munis = {m["code"]: m for m in view.all("municipalities")}
    notices = [d for d in deliveries if d.is_notice]
    rows = [_region_row(d, notices, regions, munis) for d in notices if d.tier == Tier.REGION]
    rows.sort(key=lambda row: row["region"]["code"])
    if hearing:
        for row in rows:
            row.update(_replies_of(row["region"]["code"], replies, munis))
    audit.read(store, actor, "read_broadcast", f"broadcast:{broadcast_id}", now)
    if hearing:
        broadcast["hearing_state"] = lifecycle.hearing_state(broadcast, now)
    return {"id": broadcast_id, **{k: v for k, v in broadcast.items() if k not in ("id", "tz")}, "regions": rows}


def _region_row(first: Delivery, deliveries: list[Delivery], regions: dict, munis: dict) -> dict:
    region = regions[first.region]
    second = [d for d in deliveries if d.tier == Tier.MUNICIPALITY and d.region == first.region]
    return {
        "region": {"code": region["code"], "name": region["name"]},
        "delivery": first.id, "recipient": first.recipient.to_doc() if first.recipient else None,
        "fallback": first.fallback, "channel": first.channel, "state": first.state.value,
        "last_error": first.last_error, "acknowledged_by": first.acknowledged_by,
        "acknowledged_at": first.acknowledged_at, "forwarded_at": first.forwarded_at,
        "forwarded_by": first.forwarded_by, "forwarded_on_behalf": bool(first.forwarded_on_behalf),
        "municipalities": {
            "total": region.get("municipality_count", 0),
            "reached": sum(d.state in (DeliveryState.SENT, DeliveryState.ACKNOWLEDGED) for d in second),
            "acknowledged": sum(d.state == DeliveryState.ACKNOWLEDGED for d in second),
            "unreachable": first.unreachable,
            "not_acknowledged": sorted(munis[d.municipality]["name"] for d in second
                                       if d.state != DeliveryState.ACKNOWLEDGED),
        },
    }


def _replies_of(region: str, replies: list[dict], munis: dict) -> dict:
    """The region's consolidated reply (or None) and which municipalities replied."""
    own = [r for r in replies if r["region"] == region]
    regional = next((r for r in own if r["municipality"] is None), None)
    return {
        "reply": {k: regional[k] for k in ("by", "at", "late")} if regional else None,
        "municipal_replies": sorted(munis[r["municipality"]]["name"] for r in own if r["municipality"]),
    }


def _id(value) -> int:
    try:
        return int(str(value).strip().lstrip("#"))
    except ValueError:
        raise NotFound("broadcast.not_found", id=value) from None
