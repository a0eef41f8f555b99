"""Keeping the directory current: set or clear the contact of a region, of
a municipality, and the KL contact.

Each change is one write transaction: it resolves the place strictly (no
typo matching, so a change never lands on a place the admin did not name),
checks the person, and replaces the old contact, so a place has at most
one contact of a role.
"""

from __future__ import annotations

from datetime import datetime

from handlers.directory import DIRECTORY, answer_for, municipality_ref, resolve
from handlers.models import ContactAnswer, MunicipalityRef
from handlers.validation import person_fields

ROLES = ("kkr", "municipal", "kl", "consultant")
# Where a role's contact belongs; a place has one contact of a role, while
# consultants (RKKP's database contacts) are many, told apart by e-mail.
SCOPES = {"kkr": "region", "municipal": "municipality", "kl": None, "consultant": "email"}


def set_region_contact(store, region: str, fields: dict, now: datetime, by: str = "") -> ContactAnswer:
    person = person_fields(fields)
    with store.write(DIRECTORY) as tx:
        code = resolve(tx, region, strict=True, kinds=("region",)).place.code
        place_contact(tx, "kkr", code, person, now, by)
        return answer_for(tx, code)


def clear_region_contact(store, region: str, now: datetime, by: str = "") -> ContactAnswer:
    with store.write(DIRECTORY) as tx:
        code = resolve(tx, region, strict=True, kinds=("region",)).place.code
        place_contact(tx, "kkr", code, None, now, by)
        return answer_for(tx, code)


def set_municipality_contact(store, municipality: str, fields: dict, now: datetime, by: str = "") -> MunicipalityRef:
    person = person_fields(fields)
    with store.write(DIRECTORY) as tx:
        code = resolve(tx, municipality, strict=True, kinds=("municipality",)).place.code
        place_contact(tx, "municipal", code, person, now, by)
        return municipality_ref(tx, tx.get("municipalities", int(code)))


def clear_municipality_contact(store, municipality: str, now: datetime, by: str = "") -> MunicipalityRef:
    with store.write(DIRECTORY) as tx:
        code = resolve(tx, municipality, strict=True, kinds=("municipality",)).place.code
        place_contact(tx, "municipal", code, None, now, by)
        return municipality_ref(tx, tx.get("municipalities", int(code)))


def place_contact(tx, role: str, place_code: str | None, person: dict | None, now: datetime, by: str) -> str:
    """Make ``person`` the contact of ``role`` for a place (None clears it).

    Returns what happened: "created", "updated", "cleared" or "unchanged".
    """
    scope = SCOPES[role]
    if scope == "email":
        place_code = person["email"] if person else place_code
    where = {"role": role, **({scope: place_code} if scope else {})}
    existing = tx.find("contacts", **where)
    stamp = {"updated_at": now.isoformat(), "updated_by": by or None}
    if person is None:
        for doc in existing:
            tx.remove("contacts", doc["id"])
        return "cleared" if existing else "unchanged"
    if existing:
        old = existing[0]
        for extra in existing[1:]:
            tx.remove("contacts", extra["id"])
        if all(old.get(k) == v for k, v in person.items()):
            return "unchanged"
        tx.update("contacts", old["id"], {**person, **stamp})
        return "updated"
    tx.insert("contacts", {**where, **person, **stamp})
    return "created"
