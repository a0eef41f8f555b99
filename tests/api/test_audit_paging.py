"""``GET /api/audit`` in pages: newest first, each page's ``Link: <…>;
rel="next"`` leads to the next, and following them yields every entry
exactly once, across month files, late entries and entries from before
numbering began."""

import json
import re
from datetime import timedelta

from handlers import audit
from tests.conftest import NOW

MONTHS = (NOW - timedelta(days=62), NOW - timedelta(days=31), NOW)  # September, October, November


def fill(store) -> None:
    """Reads and changes over three months through the real paths, and one
    read stored late, after November's, with September's time (as a
    clock behind, or an entry a killed writer left pending, gives)."""
    for n in range(21):
        when = MONTHS[n % 3] + timedelta(minutes=n)
        if n % 4:
            audit.read(store, f"reader-{n}", "read_contacts", f"region:{1081 + n % 5}", when)
        else:
            with store.write("auth") as tx:
                audit.record(tx, f"admin-{n}", "token_create", f"token:{n:012d}", when, name=f"token {n}")
    audit.read(store, "late reader", "read_contacts", "region:1084", MONTHS[0])


def next_link(response) -> str | None:
    found = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link", ""))
    return found[1] if found else None


def follow(client, admin, url: str) -> list[list[dict]]:
    pages = []
    while url:
        response = client.get(url, headers=admin)
        assert response.status_code == 200, response.json
        pages.append(response.json)
        url = next_link(response)
    return pages


def test_following_next_links_yields_every_entry_once_newest_first_across_month_files(client, store, admin):
    fill(store)
    stored = list(store.audit.entries())
    assert len({e["at"][:7] for e in stored}) == 3
    pages = follow(client, admin, "/api/audit?limit=4")
    assert all(len(page) == 4 for page in pages[:-1]) and 0 < len(pages[-1]) <= 4
    seen = [entry["id"] for page in pages for entry in page]
    assert sorted(seen) == sorted(e["id"] for e in stored), "an entry missing or shown twice"
    seqs = [entry["seq"] for page in pages for entry in page]
    assert seqs == sorted(seqs, reverse=True), "not newest first"
    assert pages[0][0]["actor"] == "late reader"  # stored last, though its time is September's


def test_pages_keep_their_filters_and_later_entries_do_not_shift_them(client, store, admin):
    fill(store)
    first = client.get("/api/audit?limit=2&action=read_contacts&target=region:108", headers=admin)
    audit.read(store, "newcomer", "read_contacts", "region:1081", NOW)  # after the first page was read
    later = follow(client, admin, next_link(first))
    shown = first.json + [entry for page in later for entry in page]
    wanted = [e for e in store.audit.entries() if e["action"] == "read_contacts" and e["actor"] != "newcomer"]
    assert sorted(e["seq"] for e in shown) == sorted(e["seq"] for e in wanted)
    assert "newcomer" not in {e["actor"] for e in shown}
    assert "action=read_contacts" in next_link(first) and "target=region" in next_link(first)


def test_entries_from_before_numbering_began_come_last_and_are_paged_too(client, store, admin):
    # As the trail was written before entries had a seq and an id: whole lines, sorted keys.
    old = [{"at": (MONTHS[m] - timedelta(days=1, minutes=n)).isoformat(), "actor": f"old-{m}-{n}",
            "action": "read_contacts", "target": "regions"} for m in (0, 1) for n in range(3)]
    for entry in old:
        with open(store.audit.file_of(entry["at"][:7]), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    fill(store)
    stored = list(store.audit.entries())
    pages = follow(client, admin, "/api/audit?limit=5")
    shown = [entry for page in pages for entry in page]
    assert sorted(map(json.dumps, shown)) == sorted(map(json.dumps, stored))
    assert [e["actor"] for e in shown[-len(old):]] == [
        "old-1-2", "old-1-1", "old-1-0", "old-0-2", "old-0-1", "old-0-0"]  # newer month first, each file's end first


def test_the_last_page_has_no_next_link_and_a_bad_cursor_is_refused(client, store, admin):
    fill(store)
    whole = client.get("/api/audit?limit=100", headers=admin)
    assert len(whole.json) == len(list(store.audit.entries())) - 1 and next_link(whole) is None  # - its own read
    for bad in ("x", "0", "-3", "12.5", "2026-11"):
        refused = client.get(f"/api/audit?before={bad}", headers=admin)
        assert refused.status_code == 422 and refused.json["field"] == "before", bad


def test_an_entry_stored_late_in_an_older_month_comes_first_even_after_that_month_was_read(client, store, admin):
    fill(store)
    assert client.get("/api/audit?limit=30", headers=admin).status_code == 200  # every month file read once
    audit.read(store, "later still", "read_contacts", "region:1085", MONTHS[1])  # into October's file
    newest = client.get("/api/audit?limit=2", headers=admin).json
    assert [e["actor"] for e in newest] == ["later still", "test admin"]  # then the first read's own entry


def test_filters_find_names_with_quotes_and_danish_letters(client, store, admin):
    fill(store)
    audit.read(store, 'Søren "Sønne" Ærø', "read_contacts", "municipality:0492", NOW)
    found = client.get('/api/audit?actor=Søren "Sønne" Æ&target=municipality:04&limit=5', headers=admin).json
    assert [e["actor"] for e in found] == ['Søren "Sønne" Ærø']
