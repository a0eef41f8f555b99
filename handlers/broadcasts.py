"""Broadcasts: what RKKP sends down the KKR chain, and where it stands.

A broadcast lives in its own store part (``broadcast-<id>``) with all of its
deliveries, so recording an acknowledgement rewrites one small file however
many broadcasts came before; the ``broadcasts`` part only indexes them.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from handlers import audit, databases, directory
from handlers.clock import stamp
from handlers.errors import Invalid, NotFound
from handlers.validation import text_fields
from handlers.workdays import add_working_days

INDEX = "broadcasts"
KINDS = ("annual_report", "hearing", "info")
FIELDS = ("kind", "database", "title", "body", "link", "deadline", "municipal_deadline")
LIMITS = {"kind": 20, "database": 40, "title": 200, "body": 20_000, "link": 2_000, "deadline": 20,
          "municipal_deadline": 20}
# Working days the municipalities' deadline lies before the hearing's by
# default: the KKR contact needs them to consolidate the region's replies.
MUNICIPAL_LEAD = 5
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def part_of(broadcast_id: int) -> str:
    return f"broadcast-{int(broadcast_id)}"


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


def _deadline(value: str | None, kind: str, today: date) -> str | None:
    if not value:
        if kind == "hearing":
            raise Invalid("broadcast.deadline_required", extra={"field": "deadline"})
        return None
    return _future_day(value, "deadline", today).isoformat()


def _municipal_deadline(fields: dict, today: date) -> str | None:
    """The hearing's deadline for the municipalities' replies to their KKR
    contact: as given (from today up to the hearing's deadline), else
    ``MUNICIPAL_LEAD`` working days before that deadline, but not before today."""
    value, field = fields["municipal_deadline"], "municipal_deadline"
    if fields["kind"] != "hearing":
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
        tx.put("broadcast", 1, {**{k: entry.get(k) for k in FIELDS}, "created_by": made_by,
                                "created_at": entry["created_at"],
                                "creator": creator or consultant_contact(store, made_by)})
        for delivery in tier_one_plan(store):
            tx.insert("deliveries", {**delivery, "next_attempt_at": stamp(now)})
        audit.record(tx, made_by, "broadcast", f"broadcast:{entry['id']}", now, kind=entry["kind"],
                     database=entry["database"], title=entry["title"])

    finish_creation(store, entry, write_part)
    return status(store, entry["id"]), created


def begin_creation(store, key: str | None, fields: dict) -> tuple[dict, bool]:
    """The index entry of a new broadcast, in state "creating" (it holds the
    fields, so that a retry can complete it), or the one made earlier with
    ``key``; and whether this call made it.  Appointment requests (kind
    "appointment") and broadcasts have keys of their own."""
    def same_family(entry: dict) -> bool:
        return (entry["kind"] == "appointment") == (fields["kind"] == "appointment")

    with store.write(INDEX) as tx:
        existing = [e for e in tx.find("broadcasts", key=key) if same_family(e)] if key else []
        if existing:
            return existing[0], False
        return tx.insert("broadcasts", {**fields, "key": key, "state": "creating"}), True


def finish_creation(store, entry: dict, write_part) -> None:
    """Complete a creation still in state "creating": its part is written by
    ``write_part(tx)`` (with the creation's audit entry) unless a call that
    was killed afterwards already did, then the broadcast is opened.  Each
    step is idempotent, so any call with the key can finish it."""
    if entry.get("state") != "creating":
        return
    with store.write(part_of(entry["id"])) as tx:
        if tx.get("broadcast", 1) is None:
            write_part(tx)
    with store.write(INDEX) as tx:
        tx.update("broadcasts", entry["id"], {"state": "open"})


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
        plan.append(new_delivery(tier=1, region=answer.region.code, person=person.to_dict() if person else None,
                                 fallback=answer.contact is None))
    return plan


def new_delivery(tier: int, region: str | None, person: dict | None, fallback: bool = False,
                 municipality: str | None = None, purpose: str = "notice", message: dict | None = None,
                 about: int | None = None) -> dict:
    """A queued delivery.  ``purpose`` is "notice" (the broadcast itself),
    "reminder", "summary" or "closing"; all but notices carry ``message``
    ({"key", "params"} from the catalogue, or {"text"}), and a reminder is
    ``about`` the notice it reminds of."""
    recipient = {k: person.get(k) for k in ("name", "email", "role", "slack_id")} if person else None
    return {"tier": tier, "region": region, "municipality": municipality, "recipient": recipient,
            "purpose": purpose, "message": message, "about": about, "fallback": fallback, "channel": None,
            "state": "queued" if reachable(recipient) else "failed",
            "attempts": 0, "last_error": None if reachable(recipient) else "no recipient", "lease_until": None,
            "sent_at": None, "ref": None, "acknowledged_by": None, "acknowledged_at": None,
            "forwarded_at": None, "forwarded_by": None, "forwarded_on_behalf": False, "unreachable": []}


def reachable(recipient: dict | None) -> bool:
    """Whether a message can be sent to ``recipient``: not to no one, nor
    to a person erased (whose address is now a pseudonym)."""
    return bool(recipient and (recipient.get("slack_id") or "@" in (recipient.get("email") or "")))


def forget(tx, person) -> dict:
    """Erasure in a broadcast's part (or the index): the person's name and
    address become the pseudonym throughout its history, which stays whole
    (who acknowledged, replied, forwarded); what was still to be sent to
    them is not sent."""
    for delivery in tx.all("deliveries"):
        if person.is_them(delivery.get("recipient")) and delivery["state"] in ("queued", "sending", "failed"):
            tx.update("deliveries", delivery["id"], {"state": "failed", "last_error": "erased",
                                                     "next_attempt_at": None, "lease_until": None})
    return {"history": person.scrub_tables(tx)}


def is_notice(delivery: dict) -> bool:
    return delivery.get("purpose", "notice") == "notice"


def open_ids(store) -> list[int]:
    with store.read(INDEX) as view:
        return [b["id"] for b in view.all("broadcasts") if b.get("state") == "open"]


def list_broadcasts(store, actor: str | None = None, now: datetime | None = None) -> list[dict]:
    """Every broadcast, newest first, without its deliveries.  They name
    who created them, so ``actor``'s read is recorded."""
    with store.read(INDEX) as view:
        entries = [b for b in view.all("broadcasts") if b.get("state") != "creating"]
    entries.sort(key=lambda b: b["id"], reverse=True)
    audit.read(store, actor, "read_broadcast", "broadcasts", now)
    return [{k: v for k, v in b.items() if k != "key"} for b in entries]


def status(store, broadcast_id, actor: str | None = None, now: datetime | None = None) -> dict:
    """A broadcast's fields and, per region, where its delivery stands (with
    recipients' names and e-mails: ``actor``'s read is recorded)."""
    broadcast_id = _id(broadcast_id)
    with store.read(part_of(broadcast_id)) as view:
        broadcast = view.get("broadcast", 1)
        deliveries = view.all("deliveries")
        replies = view.all("replies")
    if broadcast is None:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    with store.read(directory.DIRECTORY) as view:
        regions = {r["code"]: r for r in view.all("regions")}
        munis = {m["code"]: m for m in view.all("municipalities")}
    notices = [d for d in deliveries if is_notice(d)]
    rows = [_region_row(d, notices, regions, munis) for d in notices if d["tier"] == 1]
    rows.sort(key=lambda row: row["region"]["code"])
    if broadcast["kind"] == "hearing":
        for row in rows:
            row.update(_replies_of(row["region"]["code"], replies, munis))
    audit.read(store, actor, "read_broadcast", f"broadcast:{broadcast_id}", now)
    return {"id": broadcast_id, **{k: v for k, v in broadcast.items() if k != "id"}, "regions": rows}


def _region_row(first: dict, deliveries: list[dict], regions: dict, munis: dict) -> dict:
    region = regions[first["region"]]
    second = [d for d in deliveries if d["tier"] == 2 and d["region"] == first["region"]]
    return {
        "region": {"code": region["code"], "name": region["name"]},
        "delivery": first["id"], "recipient": first["recipient"], "fallback": first["fallback"],
        "channel": first["channel"], "state": first["state"], "last_error": first["last_error"],
        "acknowledged_by": first["acknowledged_by"], "acknowledged_at": first["acknowledged_at"],
        "forwarded_at": first["forwarded_at"], "forwarded_by": first["forwarded_by"],
        "forwarded_on_behalf": bool(first.get("forwarded_on_behalf")),
        "municipalities": {
            "total": region.get("municipality_count", 0),
            "reached": sum(d["state"] in ("sent", "acknowledged") for d in second),
            "acknowledged": sum(d["state"] == "acknowledged" for d in second),
            "unreachable": first.get("unreachable", []),
            "not_acknowledged": sorted(munis[d["municipality"]]["name"] for d in second
                                       if d["state"] != "acknowledged"),
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
