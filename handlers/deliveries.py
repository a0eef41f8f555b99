"""Deliveries: sending each message once, retrying failures, recording
acknowledgements.

Sending itself is a channel's job (``bot.dispatch``); here a delivery is
*claimed* with a lease before it is sent, so several workers or a restarted
process never send the same message concurrently, and a claim whose process
died is taken up again when its lease runs out.  Such a delivery, or one
whose last try failed, may have reached the recipient all the same (the
process died, or the answer was lost, after the channel took the message):
its ``Outgoing.maybe_sent_since`` tells the channel to look before sending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from handlers import ack_tokens, audit, due, lifecycle, permissions
from handlers.clock import parse, stamp
from handlers.collections import APPOINTMENTS, BROADCASTS, Collection, named
from handlers.directory import DIRECTORY
from handlers.enums import BroadcastState, DeliveryState, Purpose, Tier
from handlers.errors import Conflict, NotFound, Unreadable
from handlers.lifecycle import LEASE, MAX_ATTEMPTS, backoff  # noqa: F401 - the names others import from here
from handlers.records import Delivery

log = logging.getLogger(__name__)

BATCH = 20  # claimed at once: each batch must be sent well within its lease, even when rate-limited


@dataclass(frozen=True)
class Outgoing:
    """Everything a channel needs to send one delivery."""

    broadcast_id: int
    delivery_id: int
    tier: Tier
    broadcast: dict
    recipient: dict
    region: str
    municipality: str | None
    fallback: bool
    ack_token: str
    region_name: str = ""
    municipality_name: str | None = None
    purpose: Purpose = Purpose.NOTICE
    message: dict | None = None
    about: int | None = None
    maybe_sent_since: str | None = None  # when an earlier try that may have sent it began; None: first try
    municipality_official: str | None = None  # "Aarhus Kommune", as a letter to the municipality names it
    kkr_contact: str | None = None  # tier 2: the KKR contact it came through; None when it came via KL
    collection: str = "broadcast"  # or "appointment": ``broadcast_id`` is then the request's id

    @property
    def notice_id(self) -> int:
        """The notice this delivery is (or reminds of): what its buttons act on."""
        return self.about or self.delivery_id


def claim_due(store, now: datetime, secret: bytes, *, owner: str = "", is_dead=None,
              only: int | None = None, limit: int = BATCH) -> list[Outgoing]:
    """Lease up to ``limit`` deliveries that are due to ``owner`` and return
    what to send; call again for the rest.  Only the records that the index
    of due times names are read (``only``: just that broadcast).

    ``is_dead(owner)`` tells whether the owner of another lease is known to
    have died (a process of this machine that is gone); its claims are taken
    over at once instead of when the lease runs out.
    """
    is_dead = is_dead or (lambda _owner: False)
    due_now = lifecycle.due_to_send(now, is_dead)
    claimed, names = [], None
    for collection, record_id in [(BROADCASTS, only)] if only else due.to_send(store, now, is_dead):
        if len(claimed) >= limit:
            break
        names = names or place_names(store)
        try:
            claimed += _claim_in(store, collection, record_id, now, owner, due_now, secret, names,
                                 limit - len(claimed))
        except Unreadable as error:  # one record this version cannot read must not stop the others being sent
            log.error("not sending from %s: %s", collection.target(record_id), error)
    return claimed


def _claim_in(store, collection: Collection, record_id: int, now: datetime, owner: str, due_now, secret: bytes,
              names: dict, limit: int) -> list[Outgoing]:
    claimed = []
    with due.changing(store, collection, record_id, now, visit=True) as tx:
        doc = tx.get(collection.doc, 1)
        for delivery in [d for d in tx.all("deliveries") if due_now(d)][:limit] if doc else []:
            earlier = _earlier_try(delivery)
            lifecycle.claim(tx, delivery["id"], owner, now)
            claimed.append(_outgoing(collection, record_id, doc, delivery, secret, names, earlier,
                                     kkr_contact=_kkr_contact(tx, delivery)))
    return claimed


def place_names(store) -> dict[str, dict]:
    """Regions and municipalities (their names) by code."""
    with store.read(DIRECTORY) as view:
        return {p["code"]: p for p in view.all("regions") + view.all("municipalities")}


def _kkr_contact(reader, delivery: dict) -> str | None:
    """Who a tier-2 message came through: the name of the region's KKR
    contact, or None when the region has none and it came via KL."""
    found = Delivery.from_doc(delivery)
    if found.tier != Tier.MUNICIPALITY:
        return None
    first = next(iter(reader.find("deliveries", tier=Tier.REGION, region=found.region, purpose=Purpose.NOTICE)), None)
    first = Delivery.from_doc(first) if first is not None else None
    if first is None or first.fallback or not first.recipient:
        return None
    return first.recipient.name


def _earlier_try(delivery: dict) -> str | None:
    """When the try before this one began, if it may have sent the message:
    a claim taken over (its process died or its lease ran out) or a failure."""
    found = Delivery.from_doc(delivery)
    if found.state not in (DeliveryState.SENDING, DeliveryState.FAILED):
        return None
    lease = parse(found.lease_until)  # for claims made before claimed_at was recorded
    return found.claimed_at or (stamp(lease - LEASE) if lease else None)


def _outgoing(collection: Collection, record_id: int, doc: dict, delivery: dict, secret: bytes, names: dict,
              maybe_sent_since: str | None = None, kkr_contact: str | None = None) -> Outgoing:
    found = Delivery.from_doc(delivery)
    region, municipality = names.get(found.region) or {}, names.get(found.municipality) or {}
    return Outgoing(record_id, found.id, found.tier, {k: v for k, v in doc.items() if k != "id"},
                    delivery["recipient"], found.region, found.municipality, found.fallback,
                    ack_tokens.make(secret, record_id, found.about or found.id, collection.name),
                    region.get("name", ""), municipality.get("name"),
                    found.purpose, found.message, found.about,
                    maybe_sent_since, municipality.get("official_name"), kkr_contact, collection.name)


def record_sent(store, item: Outgoing, channel: str, ref: dict, now: datetime) -> None:
    with due.changing(store, named(item.collection), item.broadcast_id, now) as tx:
        lifecycle.sent(tx, item.delivery_id, channel, ref, now)


def record_failure(store, item: Outgoing, error: str, now: datetime) -> None:
    """Note the error and when to try again; give up after MAX_ATTEMPTS."""
    with due.changing(store, named(item.collection), item.broadcast_id, now) as tx:
        lifecycle.failed(tx, item.delivery_id, error, now)


def by_token(store, token: str, now: datetime | None = None) -> tuple[Outgoing, dict]:
    """The delivery an e-mailed link is for, as sent and as it stands now.

    With ``now`` the link's page is being shown, with the recipient's and
    others' names: the read is recorded as the link holder's, who is named
    by the delivery (``link:broadcast:1/delivery:2``) rather than by an
    address, so the trail holds no more personal data than it must.
    """
    secret = ack_tokens.server_secret(store)
    name, record_id, delivery_id = ack_tokens.read(secret, token)
    collection = located(store, named(name), record_id)
    with store.read(collection.part(record_id)) as view:
        doc, found = view.get(collection.doc, 1), view.get("deliveries", delivery_id)
        kkr_contact = _kkr_contact(view, found) if found else None
    if doc is None or found is None:
        raise NotFound("ack.unknown_link")
    if now is not None:
        ref = delivery_ref(record_id, delivery_id, collection.name)
        audit.read(store, "link:" + ref, "read_delivery", ref, now)
    return _outgoing(collection, record_id, doc, found, secret, place_names(store), kkr_contact=kkr_contact), found


def located(store, collection: Collection, record_id: int) -> Collection:
    """Where the record is: an appointment request that an older version
    kept as broadcast N is appointment request N now (``handlers.migration``),
    and the links and buttons sent for it then still work."""
    if collection is BROADCASTS:
        with store.read(BROADCASTS.part(record_id)) as view:
            if view.get(BROADCASTS.doc, 1) is not None:
                return BROADCASTS
        with store.read(BROADCASTS.index) as view:
            entry = view.get(BROADCASTS.index, int(record_id))
        if entry and entry.get("state") == BroadcastState.MOVED:
            return APPOINTMENTS
    return collection


def delivery_ref(record_id: int, delivery_id: int, collection: str = "broadcast") -> str:
    return f"{collection}:{record_id}/delivery:{delivery_id}"


def acknowledge(store, record_id: int, delivery_id: int, now: datetime, *, by: str | None = None,
                slack_user: str | None = None, collection: str = "broadcast") -> tuple[dict, bool]:
    """Record the recipient's acknowledgement once; return the delivery and
    whether this call recorded it (False: it was already acknowledged).
    ``collection``: "broadcast" or "appointment", whose ``record_id`` it is.

    With ``slack_user`` the caller must be the recipient's Slack user; a
    caller holding the delivery's link token has already proven that.
    """
    where = located(store, named(collection), record_id)
    with due.changing(store, where, record_id, now) as tx:
        found = tx.get("deliveries", delivery_id)
        if found is None:
            raise NotFound("ack.unknown_link")
        permissions.require_recipient(permissions.Act.ACKNOWLEDGE,
                                      permissions.Message.of(record_id, found, collection=where.name), slack_user)
        if Delivery.from_doc(found).state == DeliveryState.ACKNOWLEDGED:
            return found, False
        updated = acknowledge_in(tx, record_id, found, now, by=by, collection=where.name, slack_user=slack_user)
        if updated is None:
            raise Conflict("ack.not_sent")
    return updated, True


def acknowledge_in(tx, record_id: int, delivery: dict, now: datetime, *, by: str | None = None,
                   collection: str = "broadcast", **details) -> dict | None:
    """Record in ``tx`` that ``delivery``'s recipient acknowledged it, by a
    click or by an act of theirs that shows it arrived (forwarding it,
    replying to it); return the delivery, or None when it was not sent (or
    already acknowledged).  Only the recipient acknowledges: ``by`` is
    their name as the caller knows it.  ``collection``: whose ``record_id``."""
    if not lifecycle.acknowledgeable(delivery):
        return None
    by = by or Delivery.from_doc(delivery).recipient.name
    updated = lifecycle.acknowledged(tx, delivery["id"], by, now)
    audit.record(tx, by, "acknowledge", delivery_ref(record_id, delivery["id"], collection), now, **details)
    return updated
