"""Erasure: ``python -m bot directory forget EMAIL``.

A person's contact data leaves the directory and the steering-group rosters,
and everywhere in the history (deliveries, acknowledgements, replies and
texts that name them, appointments, token names, the audit trail) their
name, address, phone number and Slack ID are replaced by a pseudonym, so the
record of what happened stays whole while the person can no longer be
identified from it.  The pseudonym is derived from the address, so every
trace of one person gets the same one.

Each module that owns a store part erases it (``SCRUBBERS``).  Erasure goes
by the part files it finds in the store's folder, not by a list of what
should be there, and stops before changing anything when a part has no
scrubber: a new kind of part cannot be silently left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from handlers import (
    appointments,
    audit,
    broadcasts,
    digest,
    directory_admin,
    due,
    signin,
    steering,
    teams_people,
    tokens,
)
from handlers.directory import DIRECTORY
from handlers.errors import Conflict, NotFound
from handlers.forgotten import Forgotten, pseudonym
from handlers.validation import normal_email

__all__ = ["SCRUBBERS", "forget", "pseudonym", "scrubber_for"]

# Which module erases which store part: ``scrub(tx, person) -> counts``.
SCRUBBERS: tuple[tuple[re.Pattern, Callable], ...] = (
    (re.compile(r"directory"), directory_admin.forget),
    (re.compile(r"auth"), tokens.forget),
    (re.compile(r"broadcasts|broadcast-\d+"), broadcasts.forget),
    (re.compile(r"appointments|appointment-\d+"), appointments.forget),
    (re.compile(r"due"), due.forget),
    (re.compile(r"databases"), steering.forget),
    (re.compile(teams_people.PART), teams_people.forget),
    (re.compile(r"signin"), signin.forget),
    (re.compile(r"digests|digest-\d+"), broadcasts.forget),  # a digest's deliveries, as a broadcast's
    (re.compile(r"digest-choices"), digest.forget),
)


def scrubber_for(part: str) -> Callable | None:
    return next((scrub for pattern, scrub in SCRUBBERS if pattern.fullmatch(part)), None)


def forget(store, email: str, now: datetime, by: str = "cli", elsewhere: dict | None = None) -> dict:
    """Erase the person with this e-mail; return the pseudonym and how many
    records changed where.  ``elsewhere`` names more places outside the store
    (the outbox) as ``{name: erase(person) -> count}``."""
    person = Forgotten(normal_email(email))
    parts = _parts(store)
    for part in parts:
        with store.read(part) as view:
            person.learn_part(view)
    for entry in store.audit.entries():
        person.learn(entry)
    if not person.records:
        raise NotFound("erasure.unknown", email=person.email)
    counts = Counter({"contacts": 0, "roster": 0, "history": 0})
    # Outside the store first: should it fail, the store still knows the
    # person, so running ``forget`` again finishes the job.
    for name, erase in (elsewhere or {}).items():
        counts[name] = erase(person)
    # The directory goes last, in the transaction that records the erasure:
    # until then the person can still be found, so a run killed half way is
    # completed by running it again, and the entry is written once.
    for part in (p for p in parts if p != DIRECTORY):
        with store.write(part) as tx:
            counts.update(scrubber_for(part)(tx, person))
    counts["audit"] = store.audit.rewrite(person.scrub)
    with store.write(DIRECTORY) as tx:
        counts.update(scrubber_for(DIRECTORY)(tx, person))
        audit.record(tx, by, "forget", f"person:{person.alias}", now, **counts)
    return {"pseudonym": person.alias, **counts}


def _parts(store) -> list[str]:
    """Every part with a file in the store's folder; ``Conflict`` naming
    one that no module knows how to erase."""
    folder = store.path.parent
    found = sorted({store.part_of_file(p.name) for p in folder.iterdir() if p.is_file()} - {None})
    unknown = [part for part in found if scrubber_for(part) is None]
    if unknown:
        raise Conflict("erasure.unknown_part", parts=", ".join(unknown))
    return found
