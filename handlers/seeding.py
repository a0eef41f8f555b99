"""Putting the seed directory into a new store.

Runs at every start and is safe to: regions and municipalities missing from
the store are added, nothing present is overwritten, and the playbook's
contacts are added only when the directory is first created, so an admin
who clears or changes a contact is never overruled by a restart.
"""

from __future__ import annotations

from datetime import datetime

from data.seed import load_seed
from handlers.directory import DIRECTORY
from handlers.directory_admin import place_contact
from handlers.steering import seed_databases
from handlers.validation import person_fields

SEED_VERSION = 1


def seed_directory(store, now: datetime) -> bool:
    """Seed what is missing (the clinical databases too); return whether
    anything of the directory was written."""
    seed_databases(store, now)
    with store.read(DIRECTORY) as view:
        meta = view.get("meta", 1)
        complete = (meta and meta.get("seed_version") == SEED_VERSION
                    and view.count("regions") and view.count("municipalities"))
    if complete:
        return False
    with store.write(DIRECTORY) as tx:
        first_time = tx.get("meta", 1) is None
        for region in load_seed("regions"):
            if tx.get("regions", int(region["code"])) is None:
                tx.put("regions", int(region["code"]), region)
        for muni in load_seed("municipalities"):
            if tx.get("municipalities", int(muni["code"])) is None:
                tx.put("municipalities", int(muni["code"]), muni)
        if first_time:
            for contact in load_seed("contacts"):
                person = person_fields({k: contact.get(k) for k in ("name", "email", "organisation")})
                place_contact(tx, contact["role"], contact.get("region"), person, now, "seed")
        tx.put("meta", 1, {"seed_version": SEED_VERSION, "seeded_at": now.isoformat()})
    return True
