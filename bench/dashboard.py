"""Server time of the dashboard's pages (``/status``) with 1,000 broadcasts in the store.

Builds the history of ``bench.store_growth`` (1,000 finished broadcasts,
each forwarded to 95 municipalities, every fifth a hearing, plus three live
hearings), signs a consultant in, and times each page through the WSGI app
in-process (the server's time, no network), against a near-empty store in
the same run.  The target: at most 50 ms a page.

    python -m bench.dashboard [BROADCASTS]     (default 1000)
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from api import create_app
from api.config import Settings
from bench.store_growth import live_hearings, median_ms, now, synthetic_history
from data import Store
from handlers import signin
from handlers.directory_csv import import_csv
from handlers.seeding import seed_directory

TARGET_MS = 50


def signed_in_client(app, store):
    import_csv(store, "role,place,name,email\nconsultant,,Anne Nakano,anne@rkkp.dk\n", now())
    token = signin.issue_link(store, signin.person_for_email(store, "anne@rkkp.dk"), now(), by="bench")
    client = app.test_client()
    path = f"/status/sign-in/{token}"
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
    assert client.post(path, data={"csrf": csrf}).status_code == 303
    return client


def pages(store: Store) -> dict[str, str]:
    with store.read("broadcasts") as view:
        entries = view.all("broadcasts")
    hearing = max(e["id"] for e in entries if e["kind"] == "hearing" and e["title"].startswith("Tidligere")) \
        if len(entries) > 3 else max(e["id"] for e in entries)
    last_page = max(1, -(-len(entries) // 20))
    return {"broadcasts, page 1": "/status", f"broadcasts, page {last_page}": f"/status?page={last_page}",
            "one hearing with its map": f"/status/broadcasts/{hearing}", "directory": "/status/directory",
            "directory search": "/status/directory?q=Koebenhavn", "steering groups": "/status/steering"}


def measure(folder: Path, count: int, rounds: int = 20) -> dict[str, float]:
    store = Store(folder / "kkrbot.json")
    seed_directory(store, now())
    synthetic_history(store, count)
    live_hearings(store)
    app = create_app(Settings(db_path=str(store.path)), store=store)
    client = signed_in_client(app, store)
    found = {}
    for name, path in pages(store).items():
        assert client.get(path).status_code == 200, path
        found[name] = median_ms(lambda p=path: client.get(p), rounds)
    return found


def main(count: int = 1000) -> dict:
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as full:
        small = measure(Path(empty), 0)
        large = measure(Path(full), count)
    for name, ms in large.items():
        base = small.get(name) or next(v for k, v in small.items() if k.split(",")[0] == name.split(",")[0])
        verdict = "ok" if ms <= TARGET_MS else "OVER"
        print(f"{name:28} {ms:7.2f} ms at {count} broadcasts ({verdict}, target {TARGET_MS} ms);"
              f" near-empty {base:6.2f} ms, ratio {ms / base:.2f}")
    return large


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
