"""Tier 2: the KKR contact passes a broadcast on to the region's municipalities.

Forwarding queues one delivery for every municipality of the region that has
a contact person and names those that have none.  Doing it again only adds
municipalities that gained a contact since, so a double click or a retried
request never sends anyone a second message.
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit, directory, permissions
from handlers.broadcasts import new_delivery, part_of
from handlers.clock import stamp
from handlers.errors import NotFound


def forward(store, broadcast_id: int, region: str, now: datetime, *, by: str,
            slack_user: str | None = None) -> dict:
    """Queue tier-2 deliveries for ``region``; return what was done.

    With ``slack_user`` only the region's tier-1 recipient may forward;
    without it the entry has admitted the caller (a consultant, or the holder
    of the tier-1 recipient's e-mailed link: ``handlers.permissions``).
    """
    with store.read(directory.DIRECTORY) as view:
        place = directory.resolve(view, region, strict=True, kinds=("region",)).place
        code = place.code
        munis = sorted(view.find("municipalities", region=code), key=lambda m: m["name"])
        people = {m["code"]: directory.municipality_ref(view, m).contact for m in munis}
    with store.write(part_of(broadcast_id)) as tx:
        first = _tier_one(tx, code, broadcast_id)
        permissions.require_recipient(permissions.Act.FORWARD, permissions.Message.of(broadcast_id, first),
                                      slack_user)
        have = {d["municipality"] for d in tx.find("deliveries", tier=2, region=code, purpose="notice")}
        added = []
        for muni in munis:
            person = people[muni["code"]]
            if person and muni["code"] not in have:
                tx.insert("deliveries", {**new_delivery(2, code, person.to_dict(), municipality=muni["code"]),
                                         "next_attempt_at": stamp(now)})
                added.append(muni["name"])
        unreachable = [m["name"] for m in munis if people[m["code"]] is None]
        tx.update("deliveries", first["id"], _forwarded(first, by, now, unreachable))
        audit.record(tx, by, "forward", f"broadcast:{broadcast_id}/region:{code}", now, added=added,
                     unreachable=unreachable)
    return {"region": code, "region_name": place.label, "added": added, "unreachable": unreachable,
            "already": bool(have) and not added, "total": len(munis)}


def _tier_one(tx, code: str, broadcast_id: int) -> dict:
    found = tx.find("deliveries", tier=1, region=code, purpose="notice") if tx.get("broadcast", 1) else []
    if not found:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    return found[0]


def _forwarded(first: dict, by: str, now: datetime, unreachable: list[str]) -> dict:
    fields = {"unreachable": unreachable}
    if not first["forwarded_at"]:
        fields.update(forwarded_at=stamp(now), forwarded_by=by)
    # Passing it on shows it arrived: count that as the acknowledgement.
    if first["state"] in ("sent", "sending"):
        fields.update(state="acknowledged", acknowledged_by=by, acknowledged_at=stamp(now))
    return fields
