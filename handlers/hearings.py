"""Hearings (høringer): municipal replies, each region's consolidated reply,
and closing the hearing with the final indicators.

Following the playbook, a municipality's reply goes to its region's KKR
contact, who sends RKKP one consolidated reply for the region.  Replies can
be revised; one submitted after the deadline is accepted and marked late.
A recipient's own reply shows the hearing reached them: it acknowledges
their delivery (a reply a consultant records for them does not).
"""

from __future__ import annotations

from datetime import date, datetime

from handlers import audit, broadcasts, directory, due, lifecycle, permissions, reach
from handlers.broadcasts import KINDS, is_notice, new_delivery, part_of
from handlers.clock import stamp
from handlers.collections import BROADCASTS
from handlers.deliveries import acknowledge_in
from handlers.enums import Kind, Purpose, ReplyKind, Tier
from handlers.errors import Conflict, Invalid, NotFound
from handlers.records import HearingReply, ReplyRevision
from handlers.validation import clean_text

MAX_TEXT = 20_000


def is_late(broadcast: dict, now: datetime) -> bool:
    """Replies are due by the end of the deadline day, local time."""
    return bool(broadcast.get("deadline")) and now.date() > date.fromisoformat(broadcast["deadline"])


def reply_by_delivery(store, broadcast_id: int, delivery_id: int, text: str, now: datetime, *,
                      slack_user: str | None = None, by: str | None = None) -> dict:
    """Record the reply of a hearing's recipient: a municipal reply from a
    municipality's contact (tier 2), the region's consolidated reply from
    its KKR contact (tier 1).  With ``slack_user`` the caller must be that
    recipient; a caller with the delivery's e-mailed link already is."""
    text = _text(text)
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        broadcast = _open_hearing(tx, broadcast_id)
        found = tx.get("deliveries", delivery_id)
        if found is None or not is_notice(found):
            raise NotFound("ack.unknown_link")
        permissions.require_recipient(permissions.Act.REPLY, permissions.Message.of(broadcast_id, found), slack_user)
        by = by or found["recipient"]["name"]
        municipality = found["municipality"] if found["tier"] == Tier.MUNICIPALITY else None
        if same := _unchanged(tx, found["region"], municipality, text, by):
            return same  # the same reply sent again (a retried request): nothing to revise
        saved = _save(tx, broadcast, found["region"], municipality, text, by, now)
        _audit_reply(tx, broadcast_id, saved, now)
        acknowledge_in(tx, broadcast_id, found, now, via="reply", slack_user=slack_user)
    return saved


def _unchanged(tx, region: str, municipality: str | None, text: str, by: str) -> dict | None:
    existing = tx.find("replies", region=region, municipality=municipality)
    return existing[0] if existing and existing[0]["text"] == text and existing[0]["by"] == by else None


def reply_for(store, broadcast_id: int, region: str, text: str, now: datetime, *, by: str,
              municipality: str | None = None) -> dict:
    """A consultant records a reply for a region or municipality (API)."""
    text = _text(text)
    with store.read(directory.DIRECTORY) as view:
        region_code = directory.resolve(view, region, strict=True, kinds=("region",)).place.code
        muni_code = None
        if municipality:
            muni_code = directory.resolve(view, municipality, strict=True, kinds=("municipality",)).place.code
            if view.get("municipalities", int(muni_code))["region"] != region_code:
                raise Invalid("hearing.wrong_region", municipality=municipality, region=region,
                              extra={"field": "municipality"})
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        broadcast = _open_hearing(tx, broadcast_id)
        saved = _save(tx, broadcast, region_code, muni_code, text, by, now)
        _audit_reply(tx, broadcast_id, saved, now)
    return saved


def _audit_reply(tx, broadcast_id: int, saved: dict, now: datetime) -> None:
    place = f"municipality:{saved['municipality']}" if saved["municipality"] else f"region:{saved['region']}"
    audit.record(tx, saved["by"], "reply", f"broadcast:{broadcast_id}/{place}", now, late=saved["late"],
                 revision=len(saved["history"]))


def _save(tx, broadcast: dict, region: str, municipality: str | None, text: str, by: str, now: datetime) -> dict:
    existing = tx.find("replies", region=region, municipality=municipality)
    late = is_late(broadcast, now)
    entry = {"text": text, "by": by, "at": stamp(now), "late": late}
    if existing:
        old = HearingReply.from_doc(existing[0])
        revision = ReplyRevision(text=old.text, by=old.by, at=old.at, late=old.late)
        history = [*(r.to_doc() for r in old.history), revision.to_doc()]
        return tx.update("replies", old.id, {**entry, "history": history})
    kind = ReplyKind.MUNICIPAL if municipality else ReplyKind.REGIONAL
    return tx.insert("replies", HearingReply(kind=kind, region=region, municipality=municipality, **entry,
                                             _absent=frozenset({"id"})).to_doc())


def reply_context(store, broadcast_id: int, delivery_id: int, slack_user: str | None = None,
                  now: datetime | None = None) -> dict:
    """What a recipient needs to write a reply: the reply so far and, for a
    KKR contact, the municipal replies of the region to consolidate.  With
    ``slack_user`` and ``now`` that Slack user's read is recorded (the
    e-mailed page records its own, as the link's)."""
    with store.read(part_of(broadcast_id)) as view:
        broadcast = _open_hearing(view, broadcast_id)
        found = view.get("deliveries", delivery_id)
        all_replies = view.all("replies")
    if found is None or not is_notice(found):
        raise NotFound("ack.unknown_link")
    permissions.require_recipient(permissions.Act.REPLY, permissions.Message.of(broadcast_id, found), slack_user)
    municipality = found["municipality"] if found["tier"] == Tier.MUNICIPALITY else None
    own = next((r for r in all_replies if r["region"] == found["region"] and r["municipality"] == municipality), None)
    with store.read(directory.DIRECTORY) as view:
        names = {m["code"]: m["name"] for m in view.all("municipalities")}
    municipal = [] if municipality else [
        {"municipality": names[r["municipality"]], "text": r["text"], "by": r["by"], "late": r["late"]}
        for r in all_replies if r["region"] == found["region"] and r["municipality"]]
    if slack_user is not None and now is not None:
        audit.read(store, f"slack:{slack_user}", "read_delivery", f"broadcast:{broadcast_id}/delivery:{delivery_id}",
                   now)
    return {"title": broadcast["title"], "deadline": broadcast.get("deadline"), "tier": found["tier"],
            "text": own["text"] if own else "", "municipal_replies": municipal}


def replies(store, broadcast_id: int) -> list[dict]:
    with store.read(part_of(broadcast_id)) as view:
        return view.all("replies")


# A notice in one of these states at closing has reached its recipient, or
# is being handed to the channel that will: they get the closing message.
CLOSING_REACHED = (lifecycle.DeliveryState.SENT, lifecycle.DeliveryState.ACKNOWLEDGED,
                   lifecycle.DeliveryState.SENDING)


def close_hearing(store, broadcast_id: int, message: str, now: datetime, *, by: str) -> dict:
    """Close the hearing and send ``message`` (the final indicators) to
    everyone it reached, tier 1 and tier 2 and the KL contact standing in for
    a region, each person once; notices still waiting to be delivered are
    stopped.  Return the closing record, which is kept on the hearing: who
    closed it, the message, how many were queued, and who was not reached."""
    message = _text(message, field="message")
    places, regions = reach.municipalities(store), reach.region_names(store)
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        _open_hearing(tx, broadcast_id)
        notices = [d for d in tx.all("deliveries") if is_notice(d)]
        recipients = _closing_recipients(notices)
        for delivery in recipients:
            lifecycle.queue(tx, new_delivery(delivery["tier"], delivery["region"], delivery["recipient"],
                                             delivery["fallback"], delivery["municipality"], purpose=Purpose.CLOSING,
                                             message={"text": message}), now)
        for delivery in notices:
            lifecycle.stopped(tx, delivery, "hearing closed")
        closing = {"at": stamp(now), "by": by, "message": message, "queued": len(recipients),
                   **reach.not_reached(notices, places, regions, CLOSING_REACHED)}
        lifecycle.close_hearing(tx, by, message, now, closing)
        audit.record(tx, by, "close", f"broadcast:{broadcast_id}", now, recipients=len(recipients),
                     not_reached=closing["counts"])
    return closing


def change_deadline(store, broadcast_id: int, raw: dict, now: datetime, *, by: str) -> dict:
    """Move an open hearing's deadline (and the municipalities', given or
    derived as at creation): a new revision of everyone's calendar event,
    sent to everyone the hearing reached, each person once; reminders
    follow the new dates.  The same deadlines again change nothing."""
    deadline, municipal = broadcasts.deadlines(raw, now.date())
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        before = _open_hearing(tx, broadcast_id)
        if (before["deadline"], before.get("municipal_deadline")) == (deadline, municipal):
            return {"hearing": before, "queued": 0}
        doc = lifecycle.change_deadline(tx, deadline, municipal, now)
        recipients = _closing_recipients([d for d in tx.all("deliveries") if is_notice(d)])
        for delivery in recipients:
            lifecycle.queue(tx, new_delivery(delivery["tier"], delivery["region"], delivery["recipient"],
                                             delivery["fallback"], delivery["municipality"], purpose=Purpose.DEADLINE,
                                             message={"key": "msg.deadline_changed"}), now)
        audit.record(tx, by, "change_deadline", f"broadcast:{broadcast_id}", now,
                     old={"deadline": before["deadline"], "municipal_deadline": before.get("municipal_deadline")},
                     new={"deadline": deadline, "municipal_deadline": municipal},
                     revision=doc["deadline_revision"], recipients=len(recipients))
    return {"hearing": doc, "queued": len(recipients)}


def _closing_recipients(notices: list[dict]) -> list[dict]:
    """The notices whose recipients get the closing message: those that
    reached them, one per person (the KL contact may stand in for two regions)."""
    chosen, seen = [], set()
    for delivery in sorted(notices, key=lambda d: d["id"]):
        person = delivery["recipient"] or {}
        who = (person.get("email") or "").lower() or person.get("slack_id")
        if delivery["state"] in CLOSING_REACHED and who not in seen:
            seen.add(who)
            chosen.append(delivery)
    return chosen


def _open_hearing(tx, broadcast_id: int) -> dict:
    broadcast = tx.get("broadcast", 1)
    if broadcast is None or broadcast.get("kind") not in KINDS:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    if broadcast["kind"] != Kind.HEARING:
        raise Conflict("hearing.not_a_hearing", id=broadcast_id)
    if lifecycle.hearing_state(broadcast, None) == lifecycle.HearingState.CLOSED:
        raise Conflict("hearing.closed", id=broadcast_id)
    return broadcast


def _text(text, field: str = "text") -> str:
    text = clean_text(text, field, multiline=True) if isinstance(text, str) else ""
    if not text:
        raise Invalid("invalid.required", field=field, extra={"field": field})
    if len(text) > MAX_TEXT:
        raise Invalid("invalid.too_long", field=field, limit=MAX_TEXT, extra={"field": field})
    return text


def hearing_number(text: str) -> int:
    """The hearing's number as ``/rkkp-close`` takes it ("12" or "#12"), in
    Slack and the shell alike; anything else gets the command's usage."""
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise Invalid("hearing.id_needed")
    return int(digits)
