"""How far a broadcast got down the chain: whether each region's KKR contact
received it and passed it on, and whether each municipality received it
and, if not, why.  The hearing report and the record of a hearing's closing
tell the same story from here."""

from __future__ import annotations

from handlers.directory import DIRECTORY
from handlers.enums import DeliveryState, Tier

DELIVERED = (DeliveryState.SENT, DeliveryState.ACKNOWLEDGED)
# Where a broadcast stands with a municipality.
REACHED = "reached"              # its notice was delivered
NOT_DELIVERED = "not_delivered"  # forwarded to its contact, not (yet) delivered
NO_CONTACT = "no_contact"        # its region forwarded; it had no contact person
NOT_FORWARDED = "not_forwarded"  # its region has not forwarded the broadcast


def municipalities(store) -> list[dict]:
    """Every municipality of the directory (code, name, region), by name."""
    with store.read(DIRECTORY) as view:
        found = [{"code": m["code"], "name": m["name"], "region": m["region"]} for m in view.all("municipalities")]
    return sorted(found, key=lambda m: m["name"])


def municipal_reach(notices: list[dict], places: list[dict],
                    delivered: tuple[str, ...] = DELIVERED) -> dict[str, str]:
    """Each municipality's code → where the broadcast stands with it, from
    the broadcast's notices (tier 1 and 2) and ``places`` (``municipalities``);
    a notice in a state of ``delivered`` reached its recipient."""
    forwarded = {d["region"] for d in notices if d["tier"] == Tier.REGION and d["forwarded_at"]}
    second = {d["municipality"]: d for d in notices if d["tier"] == Tier.MUNICIPALITY}
    reach = {}
    for place in places:
        delivery = second.get(place["code"])
        if delivery is not None:
            reach[place["code"]] = REACHED if delivery["state"] in delivered else NOT_DELIVERED
        else:
            reach[place["code"]] = NO_CONTACT if place["region"] in forwarded else NOT_FORWARDED
    return reach


def region_names(store) -> dict[str, str]:
    with store.read(DIRECTORY) as view:
        return {r["code"]: r["name"] for r in view.all("regions")}


def not_reached(notices: list[dict], places: list[dict], regions: dict[str, str],
                delivered: tuple[str, ...] = DELIVERED) -> dict:
    """Who the broadcast did not reach, with counts: regions whose KKR notice
    was not delivered (with the last error), regions that have not forwarded
    it (with their number of municipalities), municipalities forwarded to but
    not delivered, and municipalities without a contact person."""
    first = sorted((d for d in notices if d["tier"] == Tier.REGION), key=lambda d: d["region"])
    second = {d["municipality"]: d for d in notices if d["tier"] == Tier.MUNICIPALITY}
    where = municipal_reach(notices, places, delivered)
    found = {
        "regions_not_delivered": [{"code": d["region"], "name": regions[d["region"]], "error": d["last_error"]}
                                  for d in first if d["state"] not in delivered],
        "regions_not_forwarded": [{"code": d["region"], "name": regions[d["region"]],
                                   "municipalities": sum(p["region"] == d["region"] for p in places)}
                                  for d in first if not d["forwarded_at"]],
        "municipalities_not_delivered": [{**p, "error": second[p["code"]]["last_error"]} for p in places
                                         if where[p["code"]] == NOT_DELIVERED],
        "municipalities_without_contact": [p for p in places if where[p["code"]] == NO_CONTACT],
    }
    return {"not_reached": found, "counts": {key: len(items) for key, items in found.items()}}
