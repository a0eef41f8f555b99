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

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import ack_tokens, audit, permissions
from handlers.broadcasts import open_ids, part_of, reachable
from handlers.clock import parse, stamp
from handlers.directory import DIRECTORY
from handlers.errors import Conflict, NotFound

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
BATCH = 20  # claimed at once: each batch must be sent well within its lease, even when rate-limited


@dataclass(frozen=True)
class Outgoing:
    """Everything a channel needs to send one delivery."""

    broadcast_id: int
    delivery_id: int
    tier: int
    broadcast: dict
    recipient: dict
    region: str
    municipality: str | None
    fallback: bool
    ack_token: str
    region_name: str = ""
    municipality_name: str | None = None
    purpose: str = "notice"
    message: dict | None = None
    about: int | None = None
    maybe_sent_since: str | None = None  # when an earlier try that may have sent it began; None: first try
    municipality_official: str | None = None  # "Aarhus Kommune", as a letter to the municipality names it
    kkr_contact: str | None = None  # tier 2: the KKR contact it came through; None when it came via KL

    @property
    def notice_id(self) -> int:
        """The notice this delivery is (or reminds of): what its buttons act on."""
        return self.about or self.delivery_id


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def claim_due(store, now: datetime, secret: bytes, *, owner: str = "", is_dead=None,
              only: int | None = None, limit: int = BATCH) -> list[Outgoing]:
    """Lease up to ``limit`` deliveries that are due to ``owner`` and return
    what to send; call again for the rest.

    ``is_dead(owner)`` tells whether the owner of another lease is known to
    have died (a process of this machine that is gone); its claims are taken
    over at once instead of when the lease runs out.
    """
    claimed, names = [], None
    due = _due_check(now, is_dead or (lambda _owner: False))
    for broadcast_id in [only] if only else open_ids(store):
        if len(claimed) >= limit:
            break
        with store.read(part_of(broadcast_id)) as view:
            if not any(due(d) for d in view.all("deliveries")):
                continue
        names = names or place_names(store)
        with store.write(part_of(broadcast_id)) as tx:
            broadcast = tx.get("broadcast", 1)
            for delivery in list(filter(due, tx.all("deliveries")))[:limit - len(claimed)]:
                earlier = _earlier_try(delivery)
                tx.update("deliveries", delivery["id"], {"state": "sending", "lease_until": stamp(now + LEASE),
                                                         "lease_owner": owner, "claimed_at": stamp(now)})
                claimed.append(_outgoing(broadcast_id, broadcast, delivery, secret, names, earlier,
                                         kkr_contact=_kkr_contact(tx, delivery)))
    return claimed


def place_names(store) -> dict[str, dict]:
    """Regions and municipalities (their names) by code."""
    with store.read(DIRECTORY) as view:
        return {p["code"]: p for p in view.all("regions") + view.all("municipalities")}


def _kkr_contact(reader, delivery: dict) -> str | None:
    """Who a tier-2 message came through: the name of the region's KKR
    contact, or None when the region has none and it came via KL."""
    if delivery["tier"] != 2:
        return None
    first = next(iter(reader.find("deliveries", tier=1, region=delivery["region"], purpose="notice")), None)
    if first is None or first["fallback"] or not first["recipient"]:
        return None
    return first["recipient"]["name"]


def _due_check(now: datetime, is_dead):
    def due(delivery: dict) -> bool:
        state = delivery["state"]
        if state == "sending":
            return parse(delivery["lease_until"]) <= now or is_dead(delivery.get("lease_owner") or "")
        if state in ("queued", "failed") and reachable(delivery["recipient"]) and delivery["next_attempt_at"]:
            return parse(delivery["next_attempt_at"]) <= now
        return False

    return due


def _earlier_try(delivery: dict) -> str | None:
    """When the try before this one began, if it may have sent the message:
    a claim taken over (its process died or its lease ran out) or a failure."""
    if delivery["state"] not in ("sending", "failed"):
        return None
    lease = parse(delivery.get("lease_until"))  # for claims made before claimed_at was recorded
    return delivery.get("claimed_at") or (stamp(lease - LEASE) if lease else None)


def _outgoing(broadcast_id: int, broadcast: dict, delivery: dict, secret: bytes, names: dict,
              maybe_sent_since: str | None = None, kkr_contact: str | None = None) -> Outgoing:
    region, municipality = names.get(delivery["region"]) or {}, names.get(delivery["municipality"]) or {}
    return Outgoing(broadcast_id, delivery["id"], delivery["tier"], {k: v for k, v in broadcast.items() if k != "id"},
                    delivery["recipient"], delivery["region"], delivery["municipality"], delivery["fallback"],
                    ack_tokens.make(secret, broadcast_id, delivery.get("about") or delivery["id"]),
                    region.get("name", ""), municipality.get("name"),
                    delivery.get("purpose", "notice"), delivery.get("message"), delivery.get("about"),
                    maybe_sent_since, municipality.get("official_name"), kkr_contact)


def record_sent(store, item: Outgoing, channel: str, ref: dict, now: datetime) -> None:
    with store.write(part_of(item.broadcast_id)) as tx:
        delivery = tx.get("deliveries", item.delivery_id)
        recipient = {**delivery["recipient"], "slack_id": ref.get("user") or delivery["recipient"].get("slack_id")}
        # Acknowledged while we were still sending: keep that state.
        state = "acknowledged" if delivery["state"] == "acknowledged" else "sent"
        tx.update("deliveries", item.delivery_id, {
            "state": state, "channel": channel, "ref": ref, "sent_at": stamp(now), "lease_until": None,
            "attempts": delivery["attempts"] + 1, "last_error": None, "recipient": recipient})


def record_failure(store, item: Outgoing, error: str, now: datetime) -> None:
    """Note the error and when to try again; give up after MAX_ATTEMPTS."""
    with store.write(part_of(item.broadcast_id)) as tx:
        delivery = tx.get("deliveries", item.delivery_id)
        attempts = delivery["attempts"] + 1
        retry = stamp(now + backoff(attempts)) if attempts < MAX_ATTEMPTS else None
        tx.update("deliveries", item.delivery_id, {
            "state": "failed", "attempts": attempts, "last_error": error[:500],
            "next_attempt_at": retry, "lease_until": None})


def by_token(store, token: str, now: datetime | None = None) -> tuple[Outgoing, dict]:
    """The delivery an e-mailed link is for, as sent and as it stands now.

    With ``now`` the link's page is being shown, with the recipient's and
    others' names: the read is recorded as the link holder's, who is named
    by the delivery (``link:broadcast:1/delivery:2``) rather than by an
    address, so the trail holds no more personal data than it must.
    """
    secret = ack_tokens.server_secret(store)
    broadcast_id, delivery_id = ack_tokens.read(secret, token)
    with store.read(part_of(broadcast_id)) as view:
        broadcast, found = view.get("broadcast", 1), view.get("deliveries", delivery_id)
        kkr_contact = _kkr_contact(view, found) if found else None
    if broadcast is None or found is None:
        raise NotFound("ack.unknown_link")
    if now is not None:
        ref = delivery_ref(broadcast_id, delivery_id)
        audit.read(store, "link:" + ref, "read_delivery", ref, now)
    return _outgoing(broadcast_id, broadcast, found, secret, place_names(store), kkr_contact=kkr_contact), found


def delivery_ref(broadcast_id: int, delivery_id: int) -> str:
    return f"broadcast:{broadcast_id}/delivery:{delivery_id}"


def acknowledge(store, broadcast_id: int, delivery_id: int, now: datetime, *, by: str | None = None,
                slack_user: str | None = None) -> tuple[dict, bool]:
    """Record the recipient's acknowledgement once; return the delivery and
    whether this call recorded it (False: it was already acknowledged).

    With ``slack_user`` the caller must be the recipient's Slack user; a
    caller holding the delivery's link token has already proven that.
    """
    with store.write(part_of(broadcast_id)) as tx:
        found = tx.get("deliveries", delivery_id)
        if found is None:
            raise NotFound("ack.unknown_link")
        permissions.require_recipient(permissions.Act.ACKNOWLEDGE, permissions.Message.of(broadcast_id, found),
                                      slack_user)
        if found["state"] == "acknowledged":
            return found, False
        updated = acknowledge_in(tx, broadcast_id, found, now, by=by, slack_user=slack_user)
        if updated is None:
            raise Conflict("ack.not_sent")
    return updated, True


def acknowledge_in(tx, broadcast_id: int, delivery: dict, now: datetime, *, by: str | None = None,
                   **details) -> dict | None:
    """Record in ``tx`` that ``delivery``'s recipient acknowledged it, by a
    click or by an act of theirs that shows it arrived (forwarding it,
    replying to it); return the delivery, or None when it was not sent (or
    already acknowledged).  Only the recipient acknowledges: ``by`` is
    their name as the caller knows it."""
    if delivery["state"] not in ("sent", "sending"):
        return None
    by = by or delivery["recipient"]["name"]
    fields = {"state": "acknowledged", "acknowledged_by": by, "acknowledged_at": stamp(now), "lease_until": None}
    updated = tx.update("deliveries", delivery["id"], fields)
    audit.record(tx, by, "acknowledge", delivery_ref(broadcast_id, delivery["id"]), now, **details)
    return updated
