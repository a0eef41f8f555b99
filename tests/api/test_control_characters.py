"""Control characters and line breaks at every entry: one-line fields refuse
them with a 422 naming the field, texts keep their line breaks, and all text
is stored NFC-normalised."""

import unicodedata

import pytest

from bot.__main__ import main
from data import Store
from handlers import ack_tokens, appointments, broadcasts, deliveries, tokens
from handlers.tokens import create_token
from tests.conftest import NOW

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}
NFD = unicodedata.normalize("NFD", "Åse Ærø fra Århus")


@pytest.fixture
def consultant(store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    return {"Authorization": f"Bearer {token}"}


def test_a_name_with_a_line_break_is_refused_and_changes_nothing(client, admin, db_path):
    before = db_path.read_bytes()
    response = client.put("/api/regions/1082/contact", headers=admin,
                          json={"name": "Pia\r\nBcc: x@y.dk", "email": "pia@viborg.dk"})
    assert response.status_code == 422 and response.json["field"] == "name"
    assert "»name«" in response.json["error"]
    assert db_path.read_bytes() == before
    assert client.get("/api/regions/1082/contact").json["contact"]["name"] == "Jonas Thor Björnson"


@pytest.mark.parametrize("field, value", [
    ("name", "Pia\tHansen"), ("name", "Pia\x00"), ("name", "Pia\u2028Hansen"), ("name", "Pia\u2029Hansen"),
    ("name", "Pia\u202eesnaH"), ("title", "Chef\nBcc: x@y.dk"), ("organisation", "KKR\x1b[31m"),
    ("phone", "87 87\n87 87"),
])
def test_one_line_person_fields_refuse_control_characters(client, admin, db_path, field, value):
    before = db_path.read_bytes()
    response = client.put("/api/municipalities/Viborg/contact", headers=admin,
                          json={"name": "Bo Ek", "email": "bo@viborg.dk", field: value})
    assert response.status_code == 422 and response.json["field"] == field
    assert db_path.read_bytes() == before


def test_text_is_stored_nfc_normalised(client, admin, consultant):
    assert len(NFD) > len("Åse Ærø fra Århus")  # really decomposed
    response = client.put("/api/municipalities/Aarhus/contact", headers=admin,
                          json={"name": NFD, "email": "aase@aarhus.dk", "title": "Chef i " + NFD})
    assert response.status_code == 200
    assert response.json["contact"]["name"] == "Åse Ærø fra Århus"
    created = client.post("/api/broadcasts", headers=consultant, json={**HEARING, "title": NFD, "body": NFD})
    assert created.status_code == 201
    stored = client.get(f"/api/broadcasts/{created.json['id']}").json
    assert stored["title"] == stored["body"] == "Åse Ærø fra Århus"


@pytest.mark.parametrize("field, value", [
    ("title", "Høring\nBcc: x@y.dk"), ("title", "Høring\rover"), ("database", "DHRD\n"), ("kind", "hearing\t"),
    ("body", "Se linket.\x00"), ("body", "Se\tlinket."), ("body", "Se\u2028linket."),
])
def test_broadcast_fields_refuse_control_characters(client, consultant, field, value):
    response = client.post("/api/broadcasts", headers=consultant, json={**HEARING, field: value + "x"})
    assert response.status_code == 422 and response.json["field"] == field
    assert client.get("/api/broadcasts", headers=consultant).json == []


def test_a_broadcast_body_keeps_its_line_breaks(client, consultant):
    created = client.post("/api/broadcasts", headers=consultant,
                          json={**HEARING, "body": "Kære alle,\r\n\r\nse materialet.\rHilsen RKKP"})
    assert created.status_code == 201
    assert created.json["body"] == "Kære alle,\n\nse materialet.\nHilsen RKKP"


@pytest.fixture
def hearing(store):
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    secret = ack_tokens.server_secret(store)
    for item in deliveries.claim_due(store, NOW, secret):
        deliveries.record_sent(store, item, "email", {}, NOW)
    return status["id"], "/ack/" + ack_tokens.make(secret, status["id"], 2)


def test_replies_and_closing_keep_line_breaks_and_refuse_other_controls(client, consultant, hearing):
    hid, link = hearing
    assert client.post(link + "/reply", data={"text": "Enige.\x00"}).status_code == 422
    saved = client.post(link + "/reply", data={"text": "Enige.\r\nMed venlig hilsen\r\nJonas"})
    assert saved.status_code == 200
    bad = client.post(f"/api/hearings/{hid}/replies", headers=consultant, json={"region": "1083", "text": "a\x07b"})
    assert bad.status_code == 422 and bad.json["field"] == "text"
    found = client.get(f"/api/hearings/{hid}/report", headers=consultant).json
    assert found["regions"][1]["reply"]["text"] == "Enige.\nMed venlig hilsen\nJonas"
    assert found["regions"][2]["reply"] is None
    closing = client.post(f"/api/hearings/{hid}/close", headers=consultant, json={"message": "Slut\u200b."})
    assert closing.status_code == 422 and closing.json["field"] == "message"


def test_a_justification_refuses_control_characters(client, consultant):
    response = client.put("/api/databases/DHRD/justification", headers=consultant,
                          json={"justification": "Tre er nok.\x1b"})
    assert response.status_code == 422 and response.json["field"] == "justification"
    assert client.get("/api/databases/DHRD/steering-group").json["justification"] is None


def test_the_appointee_form_of_the_email_page_refuses_a_line_break(client, store):
    request, _ = appointments.open_request(store, "DHRD", {"disease_area": "Hjerte", "representatives": 5}, NOW,
                                        by="Anne Nakano")
    secret = ack_tokens.server_secret(store)
    for item in deliveries.claim_due(store, NOW, secret):
        deliveries.record_sent(store, item, "email", {}, NOW)
    link = "/ack/" + ack_tokens.make(secret, request["id"], 1, "appointment")
    page = client.post(link + "/appointee", data={"name": "Bo Ek\r\nBcc: x@y.dk", "email": "bo@viborg.dk",
                                                  "region": "1082"})
    assert page.status_code == 422 and "»name«" in page.get_data(as_text=True)
    assert appointments.status(store, request["id"])["appointees"] == []


def test_a_token_name_must_be_one_line(tmp_path, monkeypatch, capsys):
    db_path = tmp_path / "cli" / "kkrbot.json"
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_LANG", "da")
    assert main(["token", "create", "--role", "reader", "--name", "Anne\nrole admin"]) == 1
    assert "»name«" in capsys.readouterr().err
    assert tokens.list_tokens(Store(db_path)) == []
