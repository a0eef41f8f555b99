"""``GET /api/broadcasts`` in pages: newest first, ``limit`` at a time
(default 50, at most 200), each page's ``Link: <…>; rel="next"`` naming the
next, so following them shows every broadcast once, even while new ones
are being sent; a bad ``limit`` or ``before`` is a 422 naming it."""

import re
from datetime import timedelta

import pytest

from handlers import broadcasts
from tests.conftest import NOW

INFO = {"kind": "info", "database": "DHRD", "title": "Nyhed"}


def send(store, count: int, start: int = 0) -> list[int]:
    """``count`` broadcasts created by the real handler; their ids."""
    return [broadcasts.create_broadcast(store, {**INFO, "title": f"Nyhed {start + n}"}, by="Anne Nakano",
                                        now=NOW + timedelta(minutes=start + n))[0]["id"] for n in range(count)]


def next_link(response) -> str | None:
    found = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link", ""))
    return found[1] if found else None


def test_following_next_links_shows_every_broadcast_once_newest_first(client, store):
    sent = send(store, 7)
    pages, links, url = [], [], "/api/broadcasts?limit=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json
        pages.append([b["id"] for b in response.json])
        url = next_link(response)
        links.append(url)
    assert pages == [sent[6:3:-1], sent[3:0:-1], sent[:1]]
    assert links == [f"/api/broadcasts?limit=3&before={sent[4]}", f"/api/broadcasts?limit=3&before={sent[1]}", None]


def test_a_broadcast_sent_while_paging_does_not_shift_the_pages(client, store):
    sent = send(store, 5)
    first = client.get("/api/broadcasts?limit=2")
    newer = send(store, 1, start=5)
    second = client.get(next_link(first))
    assert [b["id"] for b in first.json + second.json] == sent[:0:-1][:4]
    assert client.get("/api/broadcasts?limit=1").json[0]["id"] == newer[0]


def test_without_a_limit_a_page_holds_fifty_and_the_last_page_has_no_link(client, store):
    sent = send(store, 51)
    first = client.get("/api/broadcasts")
    assert [b["id"] for b in first.json] == sent[:0:-1]
    assert next_link(first) == f"/api/broadcasts?limit=50&before={sent[1]}"
    last = client.get(next_link(first))
    assert [b["id"] for b in last.json] == sent[:1] and next_link(last) is None
    assert len(client.get("/api/broadcasts?limit=200").json) == 51


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=201", "limit"), ("limit=-1", "limit"), ("limit=ten", "limit"), ("limit=", "limit"),
    ("before=0", "before"), ("before=x", "before"), ("before=-2", "before"), ("before=1.5", "before"),
    ("before=" + "9" * 30, "before"),
])
def test_a_bad_limit_or_cursor_is_refused_with_the_field_named(client, store, query, field):
    send(store, 1)
    refused = client.get(f"/api/broadcasts?{query}")
    assert refused.status_code == 422 and refused.json["field"] == field, refused.json
    assert field in refused.json["error"]


def test_every_page_read_is_audited(client, store, admin):
    send(store, 3)
    client.get("/api/broadcasts?limit=1")
    reads = [e for e in store.audit.entries() if e["action"] == "read_broadcast" and e["target"] == "broadcasts"]
    assert [e["actor"] for e in reads] == ["staff reader"]
