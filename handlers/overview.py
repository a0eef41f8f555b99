"""What the dashboard (``/status``) shows, as plain data: a page of
broadcasts with their progress, and where one broadcast stands with each
region and municipality.  Within a viewer's ``Scope``: RKKP sees all 5
regions and 98 municipalities, a KKR contact their region and its
municipalities, a municipal contact their municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from handlers import broadcasts, lifecycle, reach
from handlers.collections import BROADCASTS
from handlers.directory import DIRECTORY
from handlers.enums import Kind, Tier

PER_PAGE = 20


class TileState(StrEnum):
    """Where a broadcast stands with one municipality, as the dashboard's map shows it."""

    NOT_SENT = "not_sent"        # its region has not forwarded it (yet), or it waits to be sent
    UNREACHABLE = "unreachable"  # no contact person, or the message could not be delivered
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REPLIED = "replied"
    LATE = "late"                # a hearing's municipal deadline passed without a reply, or the reply came late


NOT_SENT, UNREACHABLE, SENT = TileState.NOT_SENT, TileState.UNREACHABLE, TileState.SENT
ACKNOWLEDGED, REPLIED, LATE = TileState.ACKNOWLEDGED, TileState.REPLIED, TileState.LATE
STATES = tuple(TileState)


@dataclass(frozen=True)
class Scope:
    """The regions and municipalities (codes) a viewer may see; None: all."""

    regions: frozenset[str] | None = None
    municipalities: frozenset[str] | None = None

    def has_region(self, code: str) -> bool:
        return self.regions is None or code in self.regions

    def has_municipality(self, code: str) -> bool:
        return self.municipalities is None or code in self.municipalities


EVERYTHING = Scope()


def scope_of(store, region: str | None, municipality: str | None) -> Scope:
    """A KKR contact's scope (``region``) or a municipal contact's (``municipality``)."""
    if municipality:
        return Scope(frozenset(), frozenset({municipality}))
    with store.read(DIRECTORY) as view:
        local = frozenset(m["code"] for m in view.all("municipalities") if m["region"] == region)
    return Scope(frozenset({region} if region else ()), local)


def broadcast_page(store, page: int, scope: Scope, actor: str, now: datetime, per_page: int = PER_PAGE) -> dict:
    """Page ``page`` (from 1) of the broadcasts, newest first, each with its
    progress within ``scope``; the list names who sent each, so the read is
    recorded."""
    everything = broadcasts.list_broadcasts(store, actor, now)
    pages = max(1, -(-len(everything) // per_page))
    page = min(max(page, 1), pages)
    shown = everything[(page - 1) * per_page:page * per_page]
    totals = _totals(store, scope)
    return {"page": page, "pages": pages, "total": len(everything),
            "broadcasts": [{**entry, "progress": progress(store, entry["id"], scope, totals)} for entry in shown]}


def _totals(store, scope: Scope) -> dict:
    with store.read(DIRECTORY) as view:
        regions = [r["code"] for r in view.all("regions") if scope.has_region(r["code"])]
        munis = [m["code"] for m in view.all("municipalities") if scope.has_municipality(m["code"])]
    return {"regions": len(regions), "municipalities": len(munis)}


def progress(store, broadcast_id: int, scope: Scope, totals: dict) -> dict:
    """Regions acknowledged, and municipalities reached, acknowledged and
    replied (a hearing's), of those in ``scope``."""
    notices, replies = _notices_and_replies(store, broadcast_id)
    first = [d for d in notices if d["tier"] == Tier.REGION and scope.has_region(d["region"])]
    second = [d for d in notices if d["tier"] == Tier.MUNICIPALITY and scope.has_municipality(d["municipality"])]
    return {
        "regions": totals["regions"], "municipalities": totals["municipalities"],
        "regions_acknowledged": sum(d["state"] == lifecycle.DeliveryState.ACKNOWLEDGED for d in first),
        "reached": sum(d["state"] in reach.DELIVERED for d in second),
        "acknowledged": sum(d["state"] == lifecycle.DeliveryState.ACKNOWLEDGED for d in second),
        "replied": len({r["municipality"] for r in replies
                        if r["municipality"] and scope.has_municipality(r["municipality"])}),
    }


def _notices_and_replies(store, broadcast_id: int) -> tuple[list[dict], list[dict]]:
    with store.read(BROADCASTS.part(broadcast_id)) as view:
        return [d for d in view.all("deliveries") if broadcasts.is_notice(d)], view.all("replies")


def municipal_states(store, broadcast: dict, scope: Scope, now: datetime) -> dict[str, str]:
    """Each municipality in ``scope`` (code) → its state on the map (``STATES``)."""
    notices, replies = _notices_and_replies(store, broadcast["id"])
    places = [p for p in reach.municipalities(store) if scope.has_municipality(p["code"])]
    where = reach.municipal_reach(notices, places)
    second = {d["municipality"]: d for d in notices if d["tier"] == Tier.MUNICIPALITY}
    replied = {r["municipality"]: r for r in replies if r["municipality"]}
    overdue = broadcast["kind"] == Kind.HEARING and _past_municipal_deadline(broadcast, now)
    states = {}
    for place in places:
        code, reply = place["code"], replied.get(place["code"])
        if reply is not None:
            states[code] = LATE if reply.get("late") else REPLIED
        elif where[code] == reach.REACHED:
            states[code] = LATE if overdue else (
                ACKNOWLEDGED if second[code]["state"] == lifecycle.DeliveryState.ACKNOWLEDGED else SENT)
        elif where[code] == reach.NO_CONTACT or (where[code] == reach.NOT_DELIVERED
                                                 and second[code]["state"] == lifecycle.DeliveryState.FAILED):
            states[code] = UNREACHABLE
        else:
            states[code] = NOT_SENT
    return states


def _past_municipal_deadline(broadcast: dict, now: datetime) -> bool:
    deadline = broadcast.get("municipal_deadline") or broadcast.get("deadline")
    if not deadline or broadcast.get("closed_at"):
        return False
    return now >= lifecycle.deadline_end({**broadcast, "deadline": deadline})
