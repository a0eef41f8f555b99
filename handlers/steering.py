"""The clinical quality databases, their steering groups' municipal
representatives, and the municipalities that report data to them.

The playbook: a steering group should have one municipal representative per
region (5) and a municipal chair; a roster with fewer representatives must
carry the database's justification to KL.  A municipality that tells RKKP
it will report becomes obliged to once RKKP has notified SDS.
"""

from __future__ import annotations

from datetime import date, datetime

from data.seed import load_seed
from handlers import audit, databases, directory
from handlers.clock import stamp
from handlers.enums import AppointeeRole
from handlers.errors import Conflict, Invalid
from handlers.validation import clean_text

DATABASES = databases.PART
SEATS = 5


def seed_databases(store, now: datetime) -> None:
    with store.read(DATABASES) as view:
        known = {d["code"] for d in view.all("databases")}
    missing = [d for d in load_seed("databases") if d["code"] not in known]
    if missing:
        with store.write(DATABASES) as tx:
            for database in missing:
                if not tx.find("databases", code=database["code"]):
                    tx.insert("databases", {**database, "justification": None, "seeded_at": stamp(now)})


def database(view, code: str) -> dict:
    """The database of a path, or ``NotFound`` with the codes it resembles."""
    return databases.find(view, code)


def roster(store, code: str, actor: str | None = None, now: datetime | None = None) -> dict:
    """The steering group's municipal members, the regions without a
    representative, and whether the roster is complete: one representative
    from each region, or fewer with the database's justification to KL.
    ``actor``'s read of the members' contact data is recorded."""
    with store.read(DATABASES) as view:
        found = database(view, code)
        members = [m for m in view.all("members") if m["database"] == found["code"]]
    with store.read(directory.DIRECTORY) as view:
        regions = {r["code"]: r["name"] for r in view.all("regions")}
    representatives = [m for m in members if m["role"] == AppointeeRole.REPRESENTATIVE]
    covered = {m["region"] for m in representatives}
    gap = [name for code_, name in sorted(regions.items()) if code_ not in covered]
    chair = next((m for m in members if m["role"] == AppointeeRole.CHAIR), None)
    audit.read(store, actor, "read_roster", f"database:{found['code']}", now)
    return {
        "database": {"code": found["code"], "name": found["name"]},
        "representatives": [_member(m, regions) for m in representatives],
        "chair": _member(chair, regions) if chair else None,
        "seats": SEATS, "filled": len(covered & set(regions)), "regions_without_representative": gap,
        "justification": found.get("justification"),
        "complete": not gap or bool(found.get("justification")),
    }


def _member(member: dict, regions: dict) -> dict:
    fields = ("name", "title", "workplace", "email", "phone", "role", "appointed_at")
    return {**{k: member.get(k) for k in fields}, "region": {"code": member["region"],
                                                              "name": regions.get(member["region"])}}


def set_justification(store, code: str, text: str | None, now: datetime, by: str) -> dict:
    """The database's justification to KL for fewer than 5 representatives."""
    if text is not None and (not isinstance(text, str) or len(text) > 5000):
        raise Invalid("invalid.text", field="justification", extra={"field": "justification"})
    text = clean_text(text or "", "justification", multiline=True) or None
    note_justification(store, code, text, now, by, always=True)
    return roster(store, code)


def note_justification(store, code: str, text: str | None, now: datetime, by: str, always: bool = False) -> None:
    """Record the database's justification to KL (only if it changed, unless ``always``)."""
    with store.write(DATABASES) as tx:
        found = database(tx, code)
        if always or found.get("justification") != text:
            tx.update("databases", found["id"], {"justification": text})
            audit.record(tx, by, "justification", f"database:{found['code']}", now, new={"justification": text})


def open_regions(store, code: str) -> list[tuple[str, str]]:
    """The regions (code, name) without a representative on the database's roster."""
    with store.read(DATABASES) as view:
        covered = {m["region"] for m in view.find("members", database=code, role="representative")}
    with store.read(directory.DIRECTORY) as view:
        return sorted((r["code"], r["name"]) for r in view.all("regions") if r["code"] not in covered)


def forget(tx, person) -> dict:
    """Erasure in the databases part: the person leaves every steering
    group's roster (their seat shows as open, since they can no longer be
    reached); a mention elsewhere (a justification) takes their pseudonym.
    The appointment that put them there keeps its pseudonymised record."""
    gone = [member for member in tx.all("members") if person.is_them(member)]
    for member in gone:
        tx.remove("members", member["id"])
    return {"roster": len(gone), "history": person.scrub_tables(tx)}


def add_member(tx, database_code: str, person: dict, now: datetime, appointment: int | None,
               region_name: str | None = None) -> dict:
    """Put an appointee on the roster (replacing a chair, if this is one).
    The playbook wants one representative per region, who represents all of
    its municipalities: a second one for a region is a ``Conflict``."""
    if person["role"] == AppointeeRole.REPRESENTATIVE:
        taken = tx.find("members", database=database_code, role=AppointeeRole.REPRESENTATIVE, region=person["region"])
        if taken:
            raise Conflict("appointment.region_taken", region=region_name or person["region"], name=taken[0]["name"],
                           database=database_code, extra={"field": "region"})
    if person["role"] == AppointeeRole.CHAIR:
        for old in tx.find("members", database=database_code, role=AppointeeRole.CHAIR):
            tx.remove("members", old["id"])
    return tx.insert("members", {**person, "database": database_code, "appointed_at": stamp(now),
                                 "appointment": appointment})


def register_reporting(store, code: str, municipality: str, now: datetime, by: str,
                       sds_notified: str | None = None) -> dict:
    """Record that a municipality will report to the database; with
    ``sds_notified`` (a date) it is obliged to report from that day."""
    notified = _date(sds_notified, "sds_notified") if sds_notified else None
    with store.read(directory.DIRECTORY) as view:
        muni = directory.resolve(view, municipality, strict=True, kinds=("municipality",)).place
    with store.write(DATABASES) as tx:
        found = database(tx, code)
        existing = tx.find("reporting", database=found["code"], municipality=muni.code)
        fields = {"database": found["code"], "municipality": muni.code, "requested_at": stamp(now),
                  "sds_notified": notified}
        if existing:
            fields = {**existing[0], **{k: v for k, v in fields.items() if v and k != "requested_at"}}
            saved = tx.update("reporting", existing[0]["id"], fields)
        else:
            saved = tx.insert("reporting", fields)
        audit.record(tx, by, "reporting", f"database:{found['code']}/municipality:{muni.code}", now,
                     sds_notified=notified)
    return {"municipality": muni.label, "code": muni.code, "requested_at": saved["requested_at"],
            "sds_notified": saved["sds_notified"], "obliged": bool(saved["sds_notified"])}


def reporting(store, code: str, region: str | None = None) -> dict:
    """Per region: the municipalities that report (and since when they are
    obliged to) and those that do not."""
    with store.read(DATABASES) as view:
        found = database(view, code)
        rows = {r["municipality"]: r for r in view.all("reporting") if r["database"] == found["code"]}
    with store.read(directory.DIRECTORY) as view:
        regions = sorted(view.all("regions"), key=lambda r: r["code"])
        if region:
            wanted = directory.resolve(view, region, kinds=("region",)).place.code
            regions = [r for r in regions if r["code"] == wanted]
        munis = view.all("municipalities")
    out = []
    for reg in regions:
        local = sorted((m for m in munis if m["region"] == reg["code"]), key=lambda m: m["name"])
        out.append({"region": {"code": reg["code"], "name": reg["name"]},
                    "reporting": [_reporting_row(m, rows[m["code"]]) for m in local if m["code"] in rows],
                    "not_reporting": [m["name"] for m in local if m["code"] not in rows]})
    return {"database": found["code"], "regions": out}


def _reporting_row(muni: dict, row: dict) -> dict:
    return {"municipality": muni["name"], "code": muni["code"], "requested_at": row["requested_at"],
            "sds_notified": row["sds_notified"], "obliged": bool(row["sds_notified"])}


def _date(value: str, field: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise Invalid("broadcast.deadline_format", value=value, extra={"field": field}) from None
