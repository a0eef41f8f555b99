"""Where each record stands, and the only code that changes it.

After Netflix Dispatch's ``case/enums.py`` and ``case/flows.py``: the states
are enums (``handlers.enums``), and every change of state is one function
here; other modules call these instead of writing state strings.

- A delivery: queued → sending (claimed, with a lease) → sent →
  acknowledged.  A try that fails leaves it failed and due again after a
  back-off, until ``MAX_ATTEMPTS``: then it is given up (failed with no next
  attempt), as is a delivery to nobody or to an erased person.
- A broadcast: creating → open while anything is due (a delivery queued,
  sending or failed with tries left, or a reminder still to come) → done.
  New work (a forward, closing a hearing) opens it again.
- A hearing (a broadcast of kind ``hearing``): open → past_deadline (from
  the end of the deadline day) → closed.
- An appointment request: creating → open → forwarded (KL passed it to the
  KKRs) → complete (every seat filled).

Whether a record has work due, and when, is ``handlers.due``'s to work out;
it calls ``settle_broadcast`` here with the answer.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.clock import DEFAULT_TZ, parse, stamp
from handlers.collections import APPOINTMENTS
from handlers.enums import (  # noqa: F401 - the states live in handlers.enums; others import them from here too
    AppointmentState,
    BroadcastState,
    DeliveryState,
    HearingState,
    Kind,
    Purpose,
    Tier,
)
from handlers.records import Broadcast, Delivery

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12


# -- creating records -----------------------------------------------------------

def creating() -> dict:
    """The index entry of a record whose creation has begun (it holds the
    fields, so that a retry with its key can complete it)."""
    return {"state": BroadcastState.CREATING.value}


def created(collection_name: str) -> dict:
    """The index entry once the record's part is written."""
    return {"state": (AppointmentState.OPEN if collection_name == APPOINTMENTS.name else BroadcastState.OPEN).value}


def new_broadcast(fields: dict, now: datetime) -> dict:
    """A broadcast's own document: open, and for a hearing an open hearing;
    its reminders follow the zone of the clock that created it."""
    doc = {**fields, "state": BroadcastState.OPEN.value, "tz": zone_name(now)}
    if fields.get("kind") == Kind.HEARING:
        doc["hearing_state"] = HearingState.OPEN.value
    return doc


def new_request(fields: dict, now: datetime) -> dict:
    """An appointment request's own document."""
    return {**fields, "state": AppointmentState.OPEN.value, "tz": zone_name(now), "forwarded_to_kkr_at": None,
            "completed_at": None}


def zone_name(now: datetime) -> str:
    """The time zone of the app's clocks (``KKRBOT_TZ``), which is the one
    ``now`` is in; a bare UTC time says nothing, so the default."""
    return now.tzinfo.key if isinstance(now.tzinfo, ZoneInfo) else DEFAULT_TZ


def zone_of(doc: dict | None, default: str = DEFAULT_TZ) -> ZoneInfo:
    return ZoneInfo((doc or {}).get("tz") or default)


# -- deliveries -------------------------------------------------------------------

def reachable(recipient: dict | None) -> bool:
    """Whether a message can be sent to ``recipient``: not to no one, nor
    to a person erased (whose address is now a pseudonym)."""
    return bool(recipient and (recipient.get("slack_id") or "@" in (recipient.get("email") or "")))


def new_delivery(tier: Tier, region: str | None, person: dict | None, fallback: bool = False,
                 municipality: str | None = None, purpose: Purpose = Purpose.NOTICE, message: dict | None = None,
                 about: int | None = None) -> dict:
    """A delivery to be stored with ``queue``.  ``purpose``: a notice (the
    broadcast or request itself), or a reminder, summary, closing or
    welcome, which carry ``message`` ({"key", "params"} from the catalogue,
    or {"text"}); a reminder is ``about`` the notice it reminds of."""
    recipient = {k: person.get(k) for k in ("name", "email", "role", "slack_id")} if person else None
    return {"tier": Tier(tier), "region": region, "municipality": municipality, "recipient": recipient,
            "purpose": Purpose(purpose), "message": message, "about": about, "fallback": fallback, "channel": None,
            "attempts": 0, "lease_until": None, "sent_at": None, "ref": None, "acknowledged_by": None,
            "acknowledged_at": None, "forwarded_at": None, "forwarded_by": None, "forwarded_on_behalf": False,
            "unreachable": []}


def is_notice(delivery: dict) -> bool:
    return Delivery.field_of(delivery, "purpose") == Purpose.NOTICE


def queue(tx, delivery: dict, now: datetime) -> dict:
    """Store a new delivery, due now; one that can reach nobody is given up at once."""
    if reachable(delivery.get("recipient")):
        fields = {"state": DeliveryState.QUEUED.value, "last_error": None, "next_attempt_at": stamp(now)}
    else:
        fields = {"state": DeliveryState.FAILED.value, "last_error": "no recipient", "next_attempt_at": None}
    return tx.insert("deliveries", {**delivery, **fields})


def claim(tx, delivery_id: int, owner: str, now: datetime) -> dict:
    return tx.update("deliveries", delivery_id, {"state": DeliveryState.SENDING.value,
                                                 "lease_until": stamp(now + LEASE), "lease_owner": owner,
                                                 "claimed_at": stamp(now)})


def sent(tx, delivery_id: int, channel: str, ref: dict, now: datetime) -> dict:
    delivery = Delivery.from_doc(tx.get("deliveries", delivery_id))
    recipient = {**delivery.recipient.to_doc(), "slack_id": ref.get("user") or delivery.recipient.slack_id}
    # Acknowledged while we were still sending: keep that state.
    acknowledged = delivery.state == DeliveryState.ACKNOWLEDGED
    return tx.update("deliveries", delivery_id, {
        "state": (DeliveryState.ACKNOWLEDGED if acknowledged else DeliveryState.SENT).value, "channel": channel,
        "ref": ref, "sent_at": stamp(now), "lease_until": None, "attempts": delivery.attempts + 1,
        "last_error": None, "recipient": recipient})


def failed(tx, delivery_id: int, error: str, now: datetime) -> dict:
    """Note the error and when to try again; give up after ``MAX_ATTEMPTS``."""
    attempts = Delivery.from_doc(tx.get("deliveries", delivery_id)).attempts + 1
    retry = stamp(now + backoff(attempts)) if attempts < MAX_ATTEMPTS else None
    return tx.update("deliveries", delivery_id, {"state": DeliveryState.FAILED.value, "attempts": attempts,
                                                 "last_error": error[:500], "next_attempt_at": retry,
                                                 "lease_until": None})


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... at most an hour between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def acknowledged(tx, delivery_id: int, by: str, now: datetime) -> dict:
    return tx.update("deliveries", delivery_id, {"state": DeliveryState.ACKNOWLEDGED.value, "acknowledged_by": by,
                                                 "acknowledged_at": stamp(now), "lease_until": None})


def erased(tx, delivery: dict) -> None:
    """Erasure: what was still to be sent to the person is given up."""
    if Delivery.field_of(delivery, "state") in (DeliveryState.QUEUED, DeliveryState.SENDING, DeliveryState.FAILED):
        tx.update("deliveries", delivery["id"], {"state": DeliveryState.FAILED.value, "last_error": "erased",
                                                 "next_attempt_at": None, "lease_until": None})


def stopped(tx, delivery: dict, why: str) -> None:
    """What has not been sent is not to be sent any more (a hearing closed):
    a queued delivery fails as such, a failed one keeps its error and is
    not tried again; one being sent is left to arrive."""
    state = Delivery.field_of(delivery, "state")
    if state == DeliveryState.QUEUED:
        tx.update("deliveries", delivery["id"], {"state": DeliveryState.FAILED.value, "last_error": why,
                                                 "next_attempt_at": None})
    elif state == DeliveryState.FAILED:
        tx.update("deliveries", delivery["id"], {"next_attempt_at": None})


def acknowledgeable(delivery: dict) -> bool:
    return Delivery.field_of(delivery, "state") in (DeliveryState.SENT, DeliveryState.SENDING)


def next_send(delivery: dict) -> datetime | None:
    """When the delivery is next due to be (re)sent: its next attempt, or
    when its lease runs out; None when it is sent, acknowledged or given up."""
    state = Delivery.field_of(delivery, "state")  # for every delivery of a record, on each write
    if state == DeliveryState.SENDING:
        return parse(delivery["lease_until"])
    if state in (DeliveryState.QUEUED, DeliveryState.FAILED) and reachable(delivery["recipient"]):
        return parse(delivery.get("next_attempt_at"))
    return None


def due_to_send(now: datetime, is_dead):
    """Whether a delivery is due at ``now``; ``is_dead(owner)`` says whether
    the process holding a lease is known to be gone (taken over at once)."""
    def due(delivery: dict) -> bool:
        if Delivery.field_of(delivery, "state") == DeliveryState.SENDING and is_dead(delivery.get("lease_owner") or ""):
            return True
        moment = next_send(delivery)
        return moment is not None and moment <= now

    return due


# -- broadcasts and hearings ------------------------------------------------------------

def settle_broadcast(tx, doc: dict, busy: bool, now: datetime) -> dict:
    """Record whether the broadcast still has work due (open) or not (done),
    and that a hearing's deadline has passed; return the document."""
    fields = {"state": (BroadcastState.OPEN if busy else BroadcastState.DONE).value}
    if Broadcast.from_doc(doc).is_hearing and hearing_state(doc, now) != doc.get("hearing_state"):
        fields["hearing_state"] = hearing_state(doc, now).value
    if any(doc.get(name) != value for name, value in fields.items()):
        return tx.update("broadcast", 1, fields)
    return doc


def hearing_state(doc: dict, now: datetime | None) -> HearingState | None:
    """Where a hearing stands at ``now``: its deadline passes with the end of
    the deadline day in the hearing's zone, whether or not anything ran then."""
    found = Broadcast.from_doc(doc)
    if not found.is_hearing:
        return None
    if found.closed_at or found.hearing_state == HearingState.CLOSED:
        return HearingState.CLOSED
    if found.hearing_state == HearingState.PAST_DEADLINE:
        return HearingState.PAST_DEADLINE
    if now is not None and found.deadline and now >= deadline_end(doc):
        return HearingState.PAST_DEADLINE
    return HearingState.OPEN


def deadline_end(doc: dict) -> datetime:
    """Midnight after the deadline day, in the record's zone."""
    day = date.fromisoformat(doc["deadline"]) + timedelta(days=1)
    return datetime.combine(day, time(0, 0), zone_of(doc))


def close_hearing(tx, by: str, message: str, now: datetime, closing: dict | None = None) -> dict:
    """Closed by ``by`` with ``message``; ``closing``: the record of whom it went to and whom not."""
    return tx.update("broadcast", 1, {"closed_at": stamp(now), "closed_by": by, "closing_message": message,
                                      "closing": closing, "hearing_state": HearingState.CLOSED.value})


def change_deadline(tx, deadline: str, municipal_deadline: str | None, now: datetime) -> dict:
    """A hearing's deadline moved: a new revision of its calendar events,
    and open again if the old deadline had passed (``now`` is before the new one's end)."""
    doc = tx.get("broadcast", 1)
    fields = {"deadline": deadline, "municipal_deadline": municipal_deadline,
              "deadline_revision": int(doc.get("deadline_revision", 0)) + 1, "deadline_changed_at": stamp(now)}
    if doc.get("hearing_state") == HearingState.PAST_DEADLINE and now < deadline_end({**doc, **fields}):
        fields["hearing_state"] = HearingState.OPEN.value
    return tx.update("broadcast", 1, fields)


# -- appointment requests ---------------------------------------------------------

def appointment_forwarded(tx, by: str, now: datetime) -> dict:
    """KL has passed the request on to the KKRs (once; a complete request stays complete)."""
    doc = tx.get("request", 1)
    if doc["forwarded_to_kkr_at"]:
        return doc
    fields = {"forwarded_to_kkr_at": stamp(now), "forwarded_by": by}
    if doc.get("state") != AppointmentState.COMPLETE:
        fields["state"] = AppointmentState.FORWARDED.value
    return tx.update("request", 1, fields)


def appointment_complete(tx, now: datetime) -> dict:
    return tx.update("request", 1, {"completed_at": stamp(now), "state": AppointmentState.COMPLETE.value})


def moved(tx, index: str, record_id: int, to: str) -> dict:
    """An appointment request an older version kept as a broadcast now has
    its own record ``to``; its old index entry says so."""
    return tx.update(index, record_id, {"state": BroadcastState.MOVED.value, "moved_to": to})


def adopted_request(doc: dict, tz: str) -> dict:
    """The document of such a request in its own collection, with its state and zone."""
    return {**doc, "tz": doc.get("tz") or tz, "state": appointment_state(doc).value}


def appointment_state(doc: dict) -> AppointmentState:
    """A request's state, also for one stored before states were (by its dates)."""
    if doc.get("completed_at"):
        return AppointmentState.COMPLETE
    if doc.get("forwarded_to_kkr_at"):
        return AppointmentState.FORWARDED
    return AppointmentState.OPEN
