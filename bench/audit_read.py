"""Does reading the audit trail get slower as it grows?

Builds a trail of ~110,000 entries over twelve month files through the real
append path (``AuditLog.append_all``, as reads of contact data are appended:
numbered, not fsynced) and times ``GET /api/audit?limit=10`` (the newest
page) and a filtered page against the same on a trail of a single entry, in
the same run, through the Flask app in-process; and, on the large trail
only, a page half way back and a filter no entry matches (the worst case:
every line is read).

    python -m bench.audit_read [ENTRIES]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api import create_app
from api.config import Settings
from data import Store
from handlers.seeding import seed_directory
from handlers.tokens import create_token

ENTRIES = 110_000
MONTHS = 12
BATCH = 1000
REQUESTS = 200


def now() -> datetime:
    return datetime.now(UTC)


def entry(n: int, at: datetime) -> dict:
    """What the product writes: mostly reads of contacts, some changes with old and new values."""
    stamp = at.isoformat(timespec="microseconds")
    if n % 10 == 0:
        return {"at": stamp, "actor": "Ada Admin", "action": "set_contact", "target": f"municipal:{n % 98:04d}",
                "old": {"name": f"Person {n - 10}", "email": f"p{n - 10}@kommune.dk"},
                "new": {"name": f"Person {n}", "email": f"p{n}@kommune.dk", "phone": "+45 12 34 56 78"}}
    return {"at": stamp, "actor": f"slack:U0{n % 40:08d}", "action": "read_contacts",
            "target": f"region:{1081 + n % 5}"}


def build_trail(store: Store, count: int, until: datetime) -> None:
    start = until - timedelta(days=30 * MONTHS)
    step = (until - start) / max(count, 1)
    batch = []
    for n in range(count):
        batch.append(entry(n, start + step * n))
        if len(batch) == BATCH:
            store.audit.append_all(batch, durable=False)
            batch = []
    if batch:
        store.audit.append_all(batch, durable=False)


def timings(client, headers: dict, url: str, requests: int = REQUESTS) -> list[float]:
    for _ in range(min(20, requests)):
        assert client.get(url, headers=headers).status_code == 200
    found = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        found.append(time.perf_counter() - started)
        assert response.status_code == 200
    return sorted(found)


def measure(folder: Path, count: int) -> dict:
    store = Store(folder / "kkrbot.json")
    seed_directory(store, now())
    token, _ = create_token(store, "admin", "bench admin", now())  # the one entry of the small trail
    build_trail(store, count, now())
    client = create_app(Settings(db_path=str(store.path)), store=store).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    urls = {"newest 10": "/api/audit?limit=10", "target=region:1082": "/api/audit?target=region:1082&limit=10"}
    if count:
        middle = next(place for n, (place, _) in enumerate(store.audit.newest_first()) if n == count // 2)
        urls["10 from half way back (before=)"] = f"/api/audit?limit=10&before={middle}"
        urls["a filter no entry matches (reads all)"] = "/api/audit?target=nowhere&limit=10"
    return {name: statistics.median(timings(client, headers, url, 5 if "all" in name else REQUESTS)) * 1000
            for name, url in urls.items()}


def benchmark(count: int = ENTRIES) -> dict:
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as large:
        started = time.perf_counter()
        big = measure(Path(large), count)
        built = time.perf_counter() - started
        one = measure(Path(small), 0)
    print(f"GET /api/audit (admin, in-process, median of {REQUESTS}), trail of ~{count:,} entries over {MONTHS} "
          f"month files (built and measured in {built:.0f} s) vs a trail of 1 entry:")
    for name in big:
        if name in one:
            print(f"  {name}: {big[name]:.2f} ms vs {one[name]:.2f} ms, ratio {big[name] / one[name]:.2f}"
                  + ("  (target <= 1.5)" if name == "newest 10" else ""))
        else:
            print(f"  {name}: {big[name]:.2f} ms")
    return {"large": big, "one": one}


if __name__ == "__main__":
    benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else ENTRIES)
