"""The clinical quality databases over the API: an unknown code is refused
with suggestions wherever something is sent for a database, and an admin
adds and edits databases (code, name, responsible consultant), audited."""

import pytest

from handlers.tokens import create_token
from tests.conftest import NOW

CONSULTANT = {"name": "Anne Nakano", "email": "Anne.Nakano@rkkp.dk"}


@pytest.fixture
def consultant(store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    return {"Authorization": f"Bearer {token}"}


def broadcast(database):
    return {"kind": "info", "database": database, "title": "Årsrapport 2026 er udkommet"}


def test_a_broadcast_for_an_unknown_database_is_refused_with_suggestions(client, consultant):
    code, body = _post(client, "/api/broadcasts", broadcast("FOOBAR"), consultant)
    assert code == 422 and body["field"] == "database" and "FOOBAR" in body["error"]
    code, body = _post(client, "/api/broadcasts", broadcast("DHDR"), consultant)
    assert code == 422 and body["suggestions"] == ["DHRD"]
    assert "DHRD (Dansk Hjerterehabiliteringsdatabase)" in body["error"]
    assert client.get("/api/broadcasts").get_json() == []  # nothing was sent to any region
    assert _post(client, "/api/broadcasts", broadcast("dhrd"), consultant)[0] == 201


def test_an_appointment_request_for_an_unknown_database_is_refused(client, consultant):
    code, body = _post(client, "/api/databases/DHDR/appointments", {"disease_area": "Hjerterehabilitering"},
                       consultant)
    assert code == 422 and body["suggestions"] == ["DHRD"] and body["field"] == "database"
    assert client.get("/api/appointments").get_json() == []
    # A name instead of the code is understood only as a suggestion.
    code, body = _post(client, "/api/broadcasts", broadcast("Hjerterehabilitering"), consultant)
    assert code == 422 and body["suggestions"] == ["DHRD"]


def test_an_admin_adds_a_database_and_it_can_be_used(client, admin, consultant):
    new = {"code": "dap", "name": "Dansk Apopleksiregister", "consultant": CONSULTANT}
    assert _post(client, "/api/databases", new, consultant)[0] == 403
    code, body = _post(client, "/api/databases", new, admin)
    assert code == 201 and body["code"] == "DAP"
    assert body["consultant"] == {"name": "Anne Nakano", "email": "anne.nakano@rkkp.dk"}
    assert {d["code"] for d in client.get("/api/databases").get_json()} == {"DHRD", "DAP"}
    assert _post(client, "/api/databases", new, admin)[0] == 409
    assert _post(client, "/api/broadcasts", broadcast("DAP"), consultant)[0] == 201

    audit = client.get("/api/audit?target=database:DAP&action=database_added", headers=admin).get_json()
    assert len(audit) == 1 and audit[0]["new"]["consultant"]["email"] == "anne.nakano@rkkp.dk"


@pytest.mark.parametrize("body, field", [
    ({"code": "D AP", "name": "Dansk Apopleksiregister"}, "code"),
    ({"code": "DAP"}, "name"),
    ({"code": "DAP", "name": "Dansk\nApopleksiregister"}, "name"),
    ({"code": "DAP", "name": "Dansk Apopleksiregister", "consultant": {"name": "Anne"}}, "consultant.email"),
    ({"code": "DAP", "name": "Dansk Apopleksiregister", "consultant": {"name": "Anne", "email": "anne@@rkkp"}},
     "consultant.email"),
    ({"code": "DAP", "name": "Dansk Apopleksiregister", "consultant": "Anne"}, "consultant"),
    ({"code": "DAP", "name": "Dansk Apopleksiregister", "owner": "Anne"}, "owner"),
])
def test_a_bad_database_is_refused_and_nothing_is_stored(client, admin, body, field):
    code, answer = _post(client, "/api/databases", body, admin)
    assert code == 422 and answer["field"] == field
    assert [d["code"] for d in client.get("/api/databases").get_json()] == ["DHRD"]


def test_an_admin_edits_a_database(client, admin, consultant):
    change = {"consultant": CONSULTANT}
    assert client.put("/api/databases/DHRD", json=change, headers=consultant).status_code == 403
    answer = client.put("/api/databases/dhrd", json=change, headers=admin)
    assert answer.status_code == 200 and answer.get_json()["consultant"]["email"] == "anne.nakano@rkkp.dk"
    answer = client.put("/api/databases/DHRD", json={"name": "Dansk Hjerterehabiliteringsdatabase (DHRD)"},
                        headers=admin)
    assert answer.get_json()["name"].endswith("(DHRD)") and answer.get_json()["consultant"]["name"] == "Anne Nakano"
    assert client.put("/api/databases/DHRD", json={"code": "DHR"}, headers=admin).status_code == 422
    missing = client.put("/api/databases/DHDR", json=change, headers=admin)
    assert missing.status_code == 404 and missing.get_json()["suggestions"] == ["DHRD"]

    audit = client.get("/api/audit?target=database:DHRD&action=database_changed", headers=admin).get_json()
    assert [e["old"].get("consultant") for e in audit] == [CONSULTANT | {"email": "anne.nakano@rkkp.dk"}, None]
    assert client.put("/api/databases/DHRD", json={"consultant": None}, headers=admin).get_json()["consultant"] is None


def _post(client, path, body, headers):
    answer = client.post(path, json=body, headers=headers)
    return answer.status_code, answer.get_json()
