"""Keeping the directory current: set or clear the contact of a region, of
a municipality, and the KL contact.

Each change is one write transaction: it resolves the place strictly (no
typo matching, so a change never lands on a place the admin did not name),
checks the person, and replaces the old contact, so a place has at most
one contact of a role.
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit
from handlers.directory import DIRECTORY, answer_for, municipality_ref, resolve
from handlers.models import ContactAnswer, MunicipalityRef
from handlers.validation import person_fields

ROLES = ("kkr", "municipal", "kl", "consultant", "staff")
# Where a role's contact belongs; a place has one contact of a role, while
# consultants (RKKP's database contacts) and staff (RKKP's readers of the
# dashboard) are many, told apart by e-mail.
SCOPES = {"kkr": "region", "municipal": "municipality", "kl": None, "consultant": "email", "staff": "email"}


def set_region_contact(store, region: str, fields: dict, now: datetime, by: str = "") -> ContactAnswer:
    person = person_fields(fields)
    return _change(store, "kkr", region, person, now, by)


def clear_region_contact(store, region: str, now: datetime, by: str = "") -> ContactAnswer:
    return _change(store, "kkr", region, None, now, by)


def set_municipality_contact(store, municipality: str, fields: dict, now: datetime, by: str = "") -> MunicipalityRef:
    person = person_fields(fields)
    return _change(store, "municipal", municipality, person, now, by)


def clear_municipality_contact(store, municipality: str, now: datetime, by: str = "") -> MunicipalityRef:
    return _change(store, "municipal", municipality, None, now, by)


def _change(store, role: str, place: str, person: dict | None, now: datetime, by: str):
    kind = "region" if role == "kkr" else "municipality"
    changes: list[dict] = []
    with store.write(DIRECTORY) as tx:
        code = resolve(tx, place, strict=True, kinds=(kind,)).place.code
        place_contact(tx, role, code, person, now, by, changes)
        result = answer_for(tx, code) if kind == "region" else municipality_ref(tx, tx.get("municipalities", int(code)))
        record_changes(tx, by, changes, now)
    return result


def forget(tx, person) -> dict:
    """Erasure in the directory: the person's contacts, of any role, are
    removed; a mention elsewhere (who last changed a contact) takes their
    pseudonym."""
    gone = [contact for contact in tx.all("contacts") if person.is_them(contact)]
    for contact in gone:
        tx.remove("contacts", contact["id"])
    return {"contacts": len(gone), "history": person.scrub_tables(tx)}


def record_changes(tx, by: str, changes: list[dict], now: datetime) -> None:
    """The audit entries of ``changes``, in the transaction that made them."""
    for change in changes:
        audit.record(tx, by, change["action"], change["target"], now, old=change["old"], new=change["new"])


def place_contact(tx, role: str, place_code: str | None, person: dict | None, now: datetime, by: str,
                  changes: list | None = None) -> str:
    """Make ``person`` the contact of ``role`` for a place (None clears it).

    Returns what happened: "created", "updated", "cleared" or "unchanged";
    a change is also added to ``changes``, with its old and new value, for
    the audit trail.
    """
    scope = SCOPES[role]
    if scope == "email":
        place_code = person["email"] if person else place_code
    where = {"role": role, **({scope: place_code} if scope else {})}
    existing = tx.find("contacts", **where)
    stamp = {"updated_at": now.isoformat(), "updated_by": by or None}
    target = f"{role}:{place_code}" if place_code else role

    def note(action: str, old: dict | None, new: dict | None) -> None:
        if changes is not None:
            changes.append({"action": action, "target": target, "old": audit.person(old), "new": audit.person(new)})

    if person is None:
        for doc in existing:
            tx.remove("contacts", doc["id"])
        if existing:
            note("clear_contact", existing[0], None)
        return "cleared" if existing else "unchanged"
    if existing:
        old = existing[0]
        for extra in existing[1:]:
            tx.remove("contacts", extra["id"])
        if all(old.get(k) == v for k, v in person.items()):
            return "unchanged"
        tx.update("contacts", old["id"], {**person, **stamp})
        note("set_contact", old, {**old, **person})
        return "updated"
    tx.insert("contacts", {**where, **person, **stamp})
    note("set_contact", None, person)
    return "created"
