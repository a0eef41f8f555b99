"""A process that creates broadcasts in a loop, each with its own
idempotency key, for the test that kills it mid-creation.

    python -m tests.support.creator DB_PATH TAG

Prints ``start KEY`` before each creation and ``done KEY`` after it, keys
being TAG-0, TAG-1, ...
"""

import sys
from datetime import UTC, datetime

from data import Store
from handlers import broadcasts


def body(key: str) -> dict:
    return {"kind": "info", "database": "DHRD", "title": f"Nyt {key}"}


def main(db_path: str, tag: str) -> None:
    store = Store(db_path)
    n = 0
    while True:
        key = f"{tag}-{n}"
        print("start", key, flush=True)
        broadcasts.create_broadcast(store, body(key), by="Anne", now=datetime.now(UTC), key=key)
        print("done", key, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
