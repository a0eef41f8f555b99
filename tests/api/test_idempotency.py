"""Creating with an Idempotency-Key: the same key gives the same broadcast or
appointment request (200), made and audited once; the two kinds of creation
do not share keys."""

from handlers.tokens import create_token
from tests.conftest import NOW

BROADCAST = {"kind": "info", "database": "DHRD", "title": "Nyt om DHRD"}
REQUEST = {"disease_area": "Hjerterehabilitering", "representatives": 2,
           "justification": "To repræsentanter dækker forløbet."}


def test_one_key_makes_one_request_and_one_broadcast_each_audited_once(client, store, admin):
    token, _ = create_token(store, "consultant", "Anne", NOW)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"}
    first = client.post("/api/databases/DHRD/appointments", json=REQUEST, headers=headers)
    again = client.post("/api/databases/DHRD/appointments", json=REQUEST, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json["id"] == again.json["id"]

    made = client.post("/api/broadcasts", json=BROADCAST, headers=headers)
    repeat = client.post("/api/broadcasts", json=BROADCAST, headers=headers)
    assert (made.status_code, repeat.status_code) == (201, 200) and made.json["id"] == repeat.json["id"]
    assert len(made.json["regions"]) == 5

    assert [r["id"] for r in client.get("/api/appointments").json] == [first.json["id"]]
    for action in ("appointment", "broadcast"):
        assert len(client.get(f"/api/audit?action={action}", headers=admin).json) == 1
