"""The people kkr-bot can reach in Microsoft Teams: per Teams user, the
conversation reference a proactive message needs (their Entra object id,
e-mail, tenant, the connector's service URL, and their personal chat with
the bot once there is one).

Stored when the app is installed for them or their team, or when they
write to the bot, so that a notice to their e-mail can go to them 1:1 in
Teams (``bot.teams_channel``).  The store part is ``teams``; erasure
removes a person's reference entirely (``forget``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from handlers import audit
from handlers.clock import stamp

PART = "teams"
PEOPLE = "people"


@dataclass(frozen=True)
class TeamsPerson:
    aad_object_id: str
    email: str | None
    name: str | None
    tenant_id: str | None
    service_url: str
    user_id: str | None = None          # the Teams user id in this bot's eyes ("29:…")
    conversation_id: str | None = None  # their personal chat with the bot, when known


def remember(store, person: TeamsPerson, now: datetime, by: str = "teams") -> bool:
    """Store or refresh ``person``'s reference; a field we do not know now
    (no e-mail in the activity, no personal chat yet) keeps what we knew.
    Returns whether anything changed (nothing is written otherwise)."""
    if not person.aad_object_id:
        return False
    fresh = {key: value for key, value in asdict(person).items() if value}
    with store.read(PART) as view:
        known = next(iter(view.find(PEOPLE, aad_object_id=person.aad_object_id)), None)
    if known and all(known.get(key) == value for key, value in fresh.items()):
        return False
    with store.write(PART) as tx:
        known = next(iter(tx.find(PEOPLE, aad_object_id=person.aad_object_id)), None)
        if known:
            merged = {**known, **fresh, "updated_at": stamp(now)}
            tx.put(PEOPLE, known["id"], merged)
        else:
            merged = tx.insert(PEOPLE, {**asdict(person), **fresh, "updated_at": stamp(now)})
        audit.record(tx, by, "teams_reference", f"teams:{person.aad_object_id}", now,
                     email=merged.get("email"), conversation=merged.get("conversation_id"))
    return True


def by_email(store, email: str) -> dict | None:
    """The reference of the Teams user with this e-mail (the newest), or None."""
    address = (email or "").strip().lower()
    with store.read(PART) as view:
        found = [p for p in view.all(PEOPLE) if (p.get("email") or "").lower() == address]
    return max(found, key=lambda p: p.get("updated_at") or "") if found else None


def by_aad(store, aad_object_id: str) -> dict | None:
    with store.read(PART) as view:
        return next(iter(view.find(PEOPLE, aad_object_id=aad_object_id)), None)


def forget(tx, person) -> dict:
    """Erasure: the person's Teams references go (nothing more is sent to
    them in Teams); anything else naming them is scrubbed."""
    removed = 0
    for doc in tx.all(PEOPLE):
        if person.is_them(doc):
            tx.remove(PEOPLE, doc["id"])
            removed += 1
    return {"contacts": removed, "history": person.scrub_tables(tx)}
