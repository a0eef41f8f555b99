"""Every read of personal data over the API and the e-mailed pages leaves an
audit entry: who read what, when."""

import pytest

from handlers import ack_tokens, appointments, broadcasts, hearings
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.factories import forwarded_hearing

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}
APPOINTEE = {"name": "Mads Midt", "email": "mm@viborg.dk", "phone": "12345678", "region": "Midtjylland"}


@pytest.fixture
def world(store):
    """A sent and forwarded hearing with a municipal reply (broadcast 1) and
    an appointment with one appointee (request 1); the e-mailed links."""
    status = forwarded_hearing(store)
    secret = ack_tokens.server_secret(store)
    hearings.reply_for(store, status["id"], "1082", "Viborg: enig.", NOW, by="Bo Ek", municipality="Viborg")
    request_id = appointments.open_request(store, "DHRD", {"disease_area": "Hjerte"}, NOW, "Anne Nakano")[0]["id"]
    appointments.add_appointee(store, request_id, APPOINTEE, NOW, by="Lise Holten")
    with store.read(broadcasts.part_of(status["id"])) as view:
        kkr = next(d for d in view.all("deliveries") if d["tier"] == 1 and d["region"] == "1082")
    link = "/ack/" + ack_tokens.make(secret, status["id"], kkr["id"])
    token, _ = create_token(store, "admin", "Ada Admin", NOW)
    return {"hearing": status["id"], "appointment": request_id, "kkr_delivery": kkr["id"], "link": link,
            "auth": {"Authorization": f"Bearer {token}"}}


def new_entries(store, before: int) -> list[tuple]:
    return [(e["actor"], e["action"], e["target"]) for e in list(store.audit.entries())[before:]]


@pytest.mark.parametrize("path, action, target", [
    ("/api/broadcasts/1", "read_broadcast", "broadcast:1"),
    ("/api/broadcasts", "read_broadcast", "broadcasts"),
    ("/api/hearings/1/report", "read_report", "broadcast:1"),
    ("/api/hearings/1/report?format=md", "read_report", "broadcast:1"),
    ("/api/hearings/1/report?format=csv", "read_report", "broadcast:1"),
    ("/api/databases/dhrd/steering-group", "read_roster", "database:DHRD"),
    ("/api/appointments", "read_appointment", "appointments"),
    ("/api/appointments/1", "read_appointment", "appointment:1"),
    ("/api/audit?action=appointee", "read_audit", "audit"),
])
def test_each_api_read_of_personal_data_is_audited(client, store, world, path, action, target):
    before = len(list(store.audit.entries()))
    response = client.get(path, headers=world["auth"])
    assert response.status_code == 200
    assert any(word in response.get_data(as_text=True) for word in ("Jonas", "Bo Ek", "Mads Midt", "Anne Nakano"))
    assert new_entries(store, before) == [("Ada Admin", action, target)]


def test_the_audit_read_names_its_filters(client, store, world):
    client.get("/api/audit?actor=Lise&action=appointee", headers=world["auth"])
    entry = list(store.audit.entries())[-1]
    assert entry["action"] == "read_audit" and entry["actor"] == "Ada Admin"
    assert entry["filters"] == {"actor": "Lise", "action": "appointee"}


def test_a_failed_read_records_nothing(client, store, world):
    before = len(list(store.audit.entries()))
    assert client.get("/api/broadcasts/99", headers=world["auth"]).status_code == 404
    assert client.get("/api/appointments/99", headers=world["auth"]).status_code == 404
    assert client.get("/api/broadcasts/1").status_code == 200  # the reader token of the client fixture
    assert new_entries(store, before) == [("staff reader", "read_broadcast", "broadcast:1")]


def test_the_emailed_page_records_its_reads_as_the_link_holder(client, store, world):
    link, holder = world["link"], f"link:broadcast:1/delivery:{world['kkr_delivery']}"
    target = f"broadcast:1/delivery:{world['kkr_delivery']}"
    before = len(list(store.audit.entries()))
    page = client.get(link).get_data(as_text=True)
    assert "Jonas Thor Björnson" in page and "Viborg (Bo Ek): Viborg: enig." in page
    assert new_entries(store, before) == [(holder, "read_delivery", target)]

    before = len(list(store.audit.entries()))
    assert client.post(link).status_code == 200
    assert new_entries(store, before)[-1] == (holder, "read_delivery", target)

    before = len(list(store.audit.entries()))
    assert client.post(link + "/reply", data={"text": "Midtjylland: enig."}).status_code == 200
    assert new_entries(store, before)[-1] == (holder, "read_delivery", target)

    before = len(list(store.audit.entries()))
    assert client.get("/ack/1-2-" + "0" * 32).status_code == 404
    assert new_entries(store, before) == []
