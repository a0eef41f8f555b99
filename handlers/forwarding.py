"""Tier 2: the KKR contact passes a broadcast on to the region's municipalities.

Forwarding queues one delivery for every municipality of the region that has
a contact person and names those that have none.  Doing it again only adds
municipalities that gained a contact since, so a double click or a retried
request never sends anyone a second message.

Only a delivery's recipient acknowledges it.  The KKR contact's own forward
shows the message arrived and counts as their acknowledgement; a consultant
who forwards does so on the region's behalf, recorded as theirs, and the KKR
contact's delivery keeps its state.
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit, directory, due, lifecycle, permissions
from handlers.broadcasts import new_delivery
from handlers.clock import stamp
from handlers.collections import BROADCASTS
from handlers.deliveries import acknowledge_in
from handlers.enums import Purpose, Tier
from handlers.errors import NotFound


def forward(store, broadcast_id: int, region: str, now: datetime, *, by: str,
            slack_user: str | None = None, as_recipient: bool = False) -> dict:
    """Queue tier-2 deliveries for ``region``; return what was done.

    With ``slack_user`` only the region's tier-1 recipient may forward, and
    it is their own act; ``as_recipient``: the caller holds that recipient's
    e-mailed link (the entry admitted it: ``handlers.permissions``).
    Otherwise the caller (a consultant) forwards on the region's behalf.
    """
    own = as_recipient or slack_user is not None
    with store.read(directory.DIRECTORY) as view:
        place = directory.resolve(view, region, strict=True, kinds=("region",)).place
        code = place.code
        munis = sorted(view.find("municipalities", region=code), key=lambda m: m["name"])
        people = {m["code"]: directory.municipality_ref(view, m).contact for m in munis}
    with due.changing(store, BROADCASTS, broadcast_id, now) as tx:
        first = _tier_one(tx, code, broadcast_id)
        permissions.require_recipient(permissions.Act.FORWARD, permissions.Message.of(broadcast_id, first),
                                      slack_user)
        have = {d["municipality"] for d in tx.find("deliveries", tier=Tier.MUNICIPALITY, region=code,
                                                   purpose=Purpose.NOTICE)}
        added = []
        for muni in munis:
            person = people[muni["code"]]
            if person and muni["code"] not in have:
                lifecycle.queue(tx, new_delivery(Tier.MUNICIPALITY, code, person.to_dict(),
                                                 municipality=muni["code"]), now)
                added.append(muni["name"])
        unreachable = [m["name"] for m in munis if people[m["code"]] is None]
        tx.update("deliveries", first["id"], _forwarded(first, by, now, unreachable, own))
        audit.record(tx, by, "forward", f"broadcast:{broadcast_id}/region:{code}", now, added=added,
                     unreachable=unreachable, on_behalf=not own)
        if own:  # the recipient passing it on shows it arrived
            acknowledge_in(tx, broadcast_id, first, now, via="forward", slack_user=slack_user)
    return {"region": code, "region_name": place.label, "added": added, "unreachable": unreachable,
            "already": bool(have) and not added, "total": len(munis)}


def _tier_one(tx, code: str, broadcast_id: int) -> dict:
    found = (tx.find("deliveries", tier=Tier.REGION, region=code, purpose=Purpose.NOTICE)
             if tx.get("broadcast", 1) else [])
    if not found:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    return found[0]


def _forwarded(first: dict, by: str, now: datetime, unreachable: list[str], own: bool) -> dict:
    fields = {"unreachable": unreachable}
    if not first["forwarded_at"]:
        fields.update(forwarded_at=stamp(now), forwarded_by=by, forwarded_on_behalf=not own)
    return fields
