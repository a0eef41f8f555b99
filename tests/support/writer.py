"""A writer process for the store's concurrency and crash tests.

    python -m tests.support.writer DB_PATH TAG COUNT

Inserts COUNT documents tagged TAG into the ``journal`` part, one
transaction each, and after each write has returned prints its number, so
the parent knows which writes were answered as done.  It also bumps one
shared counter document per write: a read-modify-write that loses updates
unless the lock works.
"""

import sys

from data import Store


def main(db_path: str, tag: str, count: int) -> None:
    store = Store(db_path)
    for n in range(count):
        with store.write("journal") as tx:
            tx.insert("entries", {"tag": tag, "n": n, "padding": "x" * 200})
            counter = tx.get("counter", 1) or {"value": 0}
            tx.put("counter", 1, {"value": counter["value"] + 1})
        print(n, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
