"""Tier 2: the KKR contact passes a broadcast on to the region's municipalities.

Forwarding queues one delivery for every municipality of the region that has
a contact person and names those that have none.  Doing it again only adds
municipalities that gained a contact since, so a double click or a retried
request never sends anyone a second message.
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit, directory, due, lifecycle
from handlers.broadcasts import new_delivery
from handlers.clock import stamp
from handlers.errors import Forbidden, NotFound
from handlers.records import BROADCASTS


def forward(store, broadcast_id: int, region: str, now: datetime, *, by: str,
            slack_user: str | None = None) -> dict:
    """Queue tier-2 deliveries for ``region``; return what was done.

    With ``slack_user`` only the region's tier-1 recipient may forward;
    without it the caller is trusted (a consultant's token, or the holder of
    the tier-1 recipient's e-mailed link).
    """
    with store.read(directory.DIRECTORY) as view:
        place = directory.resolve(view, region, strict=True, kinds=("region",)).place
        code = place.code
        munis = sorted(view.find("municipalities", region=code), key=lambda m: m["name"])
        people = {m["code"]: directory.municipality_ref(view, m).contact for m in munis}
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        first = _tier_one(tx, code, broadcast_id)
        if slack_user is not None and slack_user != (first["recipient"] or {}).get("slack_id"):
            raise Forbidden("forward.not_yours")
        have = {d["municipality"] for d in tx.find("deliveries", tier=2, region=code, purpose="notice")}
        added = []
        for muni in munis:
            person = people[muni["code"]]
            if person and muni["code"] not in have:
                lifecycle.queue(tx, new_delivery(2, code, person.to_dict(), municipality=muni["code"]), now)
                added.append(muni["name"])
        unreachable = [m["name"] for m in munis if people[m["code"]] is None]
        tx.update("deliveries", first["id"], _forwarded(first, by, now, unreachable))
        if lifecycle.acknowledgeable(first):  # passing it on shows it arrived: count that as the acknowledgement
            lifecycle.acknowledged(tx, first["id"], by, now)
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
    return fields
