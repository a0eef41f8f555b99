"""A process that changes the store in a loop, for the audit trail's tests.

    python -m tests.support.audit_writer DB_PATH TAG [COUNT]

Round N creates an API token named TAG-N (odd N) or makes TAG-N the contact
of one of three municipalities (even N), as actor TAG, then reads a contact
as TAG (a read is audited too).  It prints N once round N has returned, and
stops after COUNT rounds (default: never).  Time is the real clock, so audit
entries carry real microseconds.
"""

import sys
from datetime import UTC, datetime

from data import Store
from handlers.directory import find_contact
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token

CODES = ("0101", "0147", "0151")


def change(store: Store, tag: str, n: int) -> None:
    name = f"{tag}-{n}"
    if n % 2:
        create_token(store, "reader", name, datetime.now(UTC), by=tag)
    else:
        set_municipality_contact(store, CODES[n // 2 % len(CODES)],
                                 {"name": name, "email": f"{name}@kommune.example.dk"}, datetime.now(UTC), by=tag)


def main(db_path: str, tag: str, count: int | None) -> None:
    store = Store(db_path)
    n = 0
    while count is None or n < count:
        change(store, tag, n)
        find_contact(store, CODES[n % len(CODES)], actor=tag, now=datetime.now(UTC))
        print(n, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
