"""What the weekly digest tells each person (``handlers.digest``).

For a KKR contact: the notices they have not acknowledged, the open
hearings their region has not answered (with RKKP's deadline), and per
hearing the municipalities of their region that received it and have not
replied (with the municipalities' deadline).  For a consultant: per open
broadcast of their databases (or sent by them), the regions that have not
acknowledged or, in a hearing, not replied.  For both: how many
acknowledgements, replies and forwards came in their part of the chain since
the last digest.

A digest is only for someone with something open; what changed alone is no
reason to write.  The contents are plain values (codes, titles, ISO days,
counts), kept in the delivery and written out when it is sent
(``bot.render.digest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import databases, directory
from handlers.clock import parse
from handlers.collections import BROADCASTS
from handlers.enums import BroadcastState, Kind, Tier
from handlers.lifecycle import DeliveryState, HearingState, is_notice

REACHED = (DeliveryState.SENT, DeliveryState.ACKNOWLEDGED)


@dataclass(frozen=True)
class Record:
    """A broadcast still open, as the digest reads it."""

    id: int
    doc: dict
    deliveries: list[dict]
    replies: list[dict]

    @property
    def notices(self) -> list[dict]:
        return [d for d in self.deliveries if is_notice(d)]

    @property
    def open_hearing(self) -> bool:
        return self.doc.get("kind") == Kind.HEARING and self.doc.get("hearing_state") == HearingState.OPEN

    def about(self) -> dict:
        return {"broadcast": self.id, "title": self.doc["title"], "database": self.doc["database"],
                "kind": self.doc["kind"]}


def plan(store, now: datetime, since: datetime) -> list[tuple[dict, dict]]:
    """Each person with something open and what their digest says, KKR
    contacts first; everyone who could want one, whether they do or not."""
    records = open_records(store)
    with store.read(directory.DIRECTORY) as view:
        kkr = [c for c in view.find("contacts", role="kkr") if c.get("region")]
        names = {p["code"]: p["name"] for p in view.all("regions") + view.all("municipalities")}
    found = []
    for contact in sorted(kkr, key=lambda c: c["region"]):
        content = for_kkr(contact, records, names, since)
        if is_open(content):
            found.append((_recipient(contact), content))
    for consultant, codes in consultants(store):
        content = for_consultant(consultant["email"], codes, records, names, since)
        if is_open(content):
            found.append((_recipient(consultant), content))
    return found


def is_open(content: dict) -> bool:
    return any(content[part] for part in ("acknowledge", "hearings", "municipalities", "waiting"))


def open_records(store) -> list[Record]:
    """Every broadcast not closed and done with creating."""
    with store.read(BROADCASTS.index) as view:
        ids = [e["id"] for e in view.all(BROADCASTS.index)
               if e.get("state") in (BroadcastState.OPEN, BroadcastState.DONE) and not e.get("closed_at")]
    found = []
    for broadcast_id in sorted(ids):
        with store.read(BROADCASTS.part(broadcast_id)) as view:
            doc = view.get(BROADCASTS.doc, 1)
            if doc is not None and not doc.get("closed_at"):
                found.append(Record(broadcast_id, doc, view.all("deliveries"), view.all("replies")))
    return found


def consultants(store) -> list[tuple[dict, set[str]]]:
    """The consultants with the codes of their databases: the directory's
    consultants and the databases' responsible consultants, once each by e-mail."""
    found: dict[str, tuple[dict, set[str]]] = {}
    with store.read(directory.DIRECTORY) as view:
        for person in view.find("contacts", role="consultant"):
            if person.get("email"):
                found.setdefault(person["email"], (person, set()))
    with store.read(databases.PART) as view:
        for database in view.all("databases"):
            person = database.get("consultant") or {}
            email = (person.get("email") or "").lower()
            if "@" in email:
                found.setdefault(email, ({**person, "email": email, "role": "consultant"}, set()))[1].add(
                    database["code"])
    return list(found.values())


def for_kkr(contact: dict, records: list[Record], names: dict, since: datetime) -> dict:
    region, email = contact["region"], contact["email"]
    acknowledge, hearings, municipalities = [], [], []
    mine = [r for r in records if any(_to(d, email) and d["tier"] == Tier.REGION for d in r.notices)]
    for record in mine:
        own = [d for d in record.notices if _to(d, email) and d["tier"] == Tier.REGION]
        replied = any(r["region"] == region and r["municipality"] is None for r in record.replies)
        if not replied and any(d["state"] == DeliveryState.SENT for d in own):
            acknowledge.append(record.about())  # a reply shows it arrived, as for reminders
        if not record.open_hearing:
            continue
        if not replied:
            hearings.append({**record.about(), "deadline": record.doc["deadline"]})
        answered = {r["municipality"] for r in record.replies if r["municipality"]}
        silent = sorted(names.get(d["municipality"], d["municipality"]) for d in record.notices
                        if d["tier"] == Tier.MUNICIPALITY and d["region"] == region and d["state"] in REACHED
                        and d["municipality"] not in answered)
        if silent:
            municipalities.append({**record.about(), "municipal_deadline": record.doc.get("municipal_deadline"),
                                   "names": silent})
    return {"acknowledge": acknowledge, "hearings": hearings, "municipalities": municipalities, "waiting": [],
            "changed": changed([(r, region) for r in mine], since)}


def for_consultant(email: str, codes: set[str], records: list[Record], names: dict, since: datetime) -> dict:
    waiting = []
    mine = [r for r in records if r.doc["database"] in codes or ((r.doc.get("creator") or {}).get("email")) == email]
    for record in mine:
        tier_one = [d for d in record.notices if d["tier"] == Tier.REGION]
        replied = {r["region"] for r in record.replies if r["municipality"] is None}
        if record.open_hearing:
            missing = [d["region"] for d in tier_one if d["region"] not in replied]
        else:
            missing = [d["region"] for d in tier_one if d["state"] != DeliveryState.ACKNOWLEDGED]
        if missing:
            waiting.append({**record.about(), "deadline": record.doc.get("deadline") if record.open_hearing else None,
                            "regions": sorted(names.get(code, code) for code in missing)})
    return {"acknowledge": [], "hearings": [], "municipalities": [], "waiting": waiting,
            "changed": changed([(r, None) for r in mine], since)}


def changed(scope: list[tuple[Record, str | None]], since: datetime) -> dict:
    """Acknowledgements, replies and forwards since ``since`` in the records
    (of one region, where a region is named)."""
    counts = {"acknowledged": 0, "replies": 0, "forwarded": 0}
    for record, region in scope:
        notices = [d for d in record.notices if region is None or d["region"] == region]
        counts["acknowledged"] += sum(_after(d.get("acknowledged_at"), since) for d in notices)
        counts["forwarded"] += sum(_after(d.get("forwarded_at"), since) for d in notices if d["tier"] == Tier.REGION)
        counts["replies"] += sum(_after(r["at"], since) for r in record.replies
                                 if region is None or r["region"] == region)
    return counts


def _after(moment: str | None, since: datetime) -> bool:
    return bool(moment) and parse(moment) >= since


def _to(delivery: dict, email: str) -> bool:
    return (delivery.get("recipient") or {}).get("email") == email


def _recipient(person: dict) -> dict:
    return {k: person.get(k) for k in ("name", "email", "role", "slack_id", "region")}
