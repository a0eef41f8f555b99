"""Creating broadcasts and reading their status."""

from datetime import timedelta

import pytest

from handlers import broadcasts
from handlers.directory_admin import set_region_contact
from handlers.errors import Invalid, NotFound
from tests.conftest import NOW

HEARING = {"kind": "hearing", "database": "dhrd", "title": "Høring over indikatorer",
           "link": "https://www.rkkp.dk/dhrd", "deadline": "2026-12-15"}


def test_a_broadcast_queues_one_delivery_per_region(store):
    status, created = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW)
    assert created and status["id"] == 1 and status["database"] == "DHRD"
    rows = {row["region"]["name"]: row for row in status["regions"]}
    assert len(rows) == 5
    assert rows["Region Midtjylland"]["recipient"]["email"] == "jt@viborg.dk"
    assert rows["Region Midtjylland"]["fallback"] is False
    for pending in ("Region Hovedstaden", "Region Sjælland"):
        assert rows[pending]["recipient"]["email"] == "lht@kl.dk" and rows[pending]["fallback"] is True
    assert {row["state"] for row in rows.values()} == {"queued"}
    assert rows["Region Syddanmark"]["municipalities"] == {
        "total": 22, "reached": 0, "acknowledged": 0, "unreachable": [], "not_acknowledged": []}


def test_a_region_given_a_contact_is_no_longer_a_fallback(store):
    set_region_contact(store, "Sjælland", {"name": "Anne Hansen", "email": "anne@roskilde.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW)
    row = next(r for r in status["regions"] if r["region"]["code"] == "1085")
    assert (row["recipient"]["name"], row["fallback"]) == ("Anne Hansen", False)


@pytest.mark.parametrize("change, field", [
    ({"kind": "memo"}, "kind"), ({"deadline": None}, "deadline"), ({"deadline": "15-12-2026"}, "deadline"),
    ({"deadline": "2026-11-01"}, "deadline"), ({"link": "rkkp.dk"}, "link"), ({"title": " "}, "title"),
    ({"database": None}, "database"), ({"colour": "red"}, "colour"), ({"title": 7}, "title"),
    ({"title": "x" * 201}, "title"),
])
def test_bad_broadcasts_are_refused_and_nothing_is_recorded(store, change, field):
    with pytest.raises(Invalid) as raised:
        broadcasts.create_broadcast(store, {**HEARING, **change}, by="Anne", now=NOW)
    assert raised.value.extra["field"] == field
    assert broadcasts.list_broadcasts(store) == []
    assert not store.file_of("broadcasts").exists()


def test_info_and_annual_reports_need_no_deadline(store):
    status, _ = broadcasts.create_broadcast(store, {"kind": "annual_report", "database": "DHRD",
                                                    "title": "Årsrapport 2026"}, by="Anne", now=NOW)
    assert status["deadline"] is None and status["kind"] == "annual_report"


def test_the_same_idempotency_key_gives_the_same_broadcast(store):
    first, created = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW, key="k-1")
    again, created_again = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW + timedelta(seconds=3),
                                                       key="k-1")
    assert created and not created_again and again["id"] == first["id"]
    assert len(broadcasts.list_broadcasts(store)) == 1
    other, _ = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW, key="k-2")
    assert other["id"] == 2


def test_list_is_newest_first_and_status_of_unknown_is_404(store):
    for title in ("one", "two", "three"):
        broadcasts.create_broadcast(store, {**HEARING, "title": title}, by="Anne", now=NOW)
    assert [b["title"] for b in broadcasts.list_broadcasts(store)] == ["three", "two", "one"]
    with pytest.raises(NotFound):
        broadcasts.status(store, 99)
    with pytest.raises(NotFound):
        broadcasts.status(store, "abc")


def test_each_broadcast_has_its_own_file(store):
    broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW)
    broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW)
    assert store.file_of("broadcast-1").exists() and store.file_of("broadcast-2").exists()
    assert store.file_of("broadcast-1") != store.file_of("broadcast-2")
