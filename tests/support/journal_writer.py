"""A process that records reads through its journal, for the journal's tests.

    python -m tests.support.journal_writer DB_PATH TAG COUNT [keep|exit|move]

It records COUNT reads as actor TAG (targets TAG-0, TAG-1, ...), printing
each number once its ``append`` has returned.  Its mover thread is slowed
to once an hour, so what it journalled stays in its journal: then ``keep``
sleeps (a running process whose journal others must move), ``exit`` leaves
at once without moving (as a killed process would), and ``move`` moves its
journal itself and prints ``moved``.
"""

import os
import sys
import time
from datetime import UTC, datetime

from data import Store, audit_journal


def main(db_path: str, tag: str, count: int, then: str) -> None:
    audit_journal.MOVE_SECONDS = 3600.0
    store = Store(db_path)
    store.audit.journal_reads()
    for n in range(count):
        store.audit.append({"at": datetime.now(UTC).isoformat(timespec="microseconds"), "actor": tag,
                            "action": "read_contacts", "target": f"{tag}-{n}"}, durable=False)
        print(n, flush=True)
    if then == "exit":
        os._exit(0)  # no atexit: the journal stays as a killed process leaves it
    if then == "move":
        store.audit.move_journals()
        print("moved", flush=True)
        return
    print("ready", flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "keep")
