"""The directory over HTTP: shapes of DESIGN.md and every error case."""

import re

import pytest
from openapi_spec_validator import validate

MIA = {"name": "Mia Mandau", "email": "mima@haderslev.dk"}


def test_health(client):
    assert client.get("/api/health").json == {"status": "ok"}


def test_contact_of_an_active_region(client):
    body = client.get("/api/regions/Midtjylland/contact").json
    assert body["region"] == {"code": "1082", "name": "Region Midtjylland", "name_en": "Central Denmark Region"}
    assert body["status"] == "active"
    assert body["contact"]["name"] == "Jonas Thor Björnson"
    assert body["contact"]["email"] == "jt@viborg.dk"
    assert body["route_via"] is None


def test_contact_of_a_pending_region_names_the_kl_route(client):
    body = client.get("/api/regions/Region%20Sj%C3%A6lland/contact").json
    assert body["status"] == "pending" and body["contact"] is None
    assert body["route_via"] == {**body["route_via"], "name": "Lise Holten", "email": "lht@kl.dk", "role": "kl"}


def test_contact_by_municipality(client):
    body = client.get("/api/regions/Koebenhavn/contact").json
    assert body["region"]["code"] == "1084"
    assert body["municipality"]["official_name"] == "Københavns Kommune"


def test_unknown_region_is_404_with_suggestions(client):
    response = client.get("/api/regions/Hoved/contact")
    assert response.status_code == 404
    assert response.is_json
    assert "Region Hovedstaden" in response.json["suggestions"]
    assert "Hoved" in response.json["error"]


def test_regions_lists_all_five(client):
    body = client.get("/api/regions").json
    assert [(r["region"]["code"], r["status"]) for r in body] == [
        ("1081", "active"), ("1082", "active"), ("1083", "active"), ("1084", "pending"), ("1085", "pending")]


def test_municipalities_filtered_by_region(client):
    assert len(client.get("/api/municipalities").json) == 98
    body = client.get("/api/municipalities?region=Syddanmark").json
    assert len(body) == 22 and {m["region"] for m in body} == {"1083"}
    assert client.get("/api/municipalities?region=Atlantis").status_code == 404


def test_contacts_filtered_by_role_and_region(client):
    kkr = client.get("/api/contacts?role=kkr").json
    assert sorted(p["email"] for p in kkr) == ["jt@viborg.dk", "mima@haderslev.dk", "php@aalborg.dk"]
    assert [p["name"] for p in client.get("/api/contacts?region=1083").json] == ["Mia Mandau"]
    assert client.get("/api/contacts?role=boss").status_code == 422


def test_admin_sets_and_clears_a_region_contact(client, admin):
    response = client.put("/api/regions/1085/contact", json={"name": "Anne Hansen", "email": "anne@roskilde.dk"},
                          headers=admin)
    assert response.status_code == 200 and response.json["status"] == "active"
    assert client.get("/api/regions/Roskilde/contact").json["contact"]["name"] == "Anne Hansen"
    response = client.delete("/api/regions/Sjælland/contact", headers=admin)
    assert response.json["status"] == "pending"
    assert client.get("/api/regions/1085/contact").json["route_via"]["email"] == "lht@kl.dk"


def test_admin_sets_a_municipal_contact(client, admin):
    response = client.put("/api/municipalities/Viborg/contact", headers=admin,
                          json={"name": "Bo Ek", "email": "Bo@Viborg.dk", "phone": "87 87 87 87"})
    assert response.status_code == 200
    assert response.json["contact"]["email"] == "bo@viborg.dk"
    assert response.json["contact"]["phone"] == "+45 87 87 87 87"
    assert client.delete("/api/municipalities/0791/contact", headers=admin).json["contact"] is None


@pytest.mark.parametrize("headers, status", [
    ({}, 401), ({"Authorization": "Bearer kkr_nope"}, 401), ({"Authorization": "Basic abc"}, 401)])
def test_writes_need_a_token(anonymous, db_path, headers, status):
    before = db_path.read_bytes()
    response = anonymous.put("/api/regions/1082/contact", json=MIA, headers=headers)
    assert response.status_code == status and "error" in response.json
    assert db_path.read_bytes() == before


def test_writes_need_the_admin_role(client, reader, db_path):
    before = db_path.read_bytes()
    response = client.delete("/api/regions/1082/contact", headers=reader)
    assert response.status_code == 403 and "admin" in response.json["error"]
    assert db_path.read_bytes() == before


def test_invalid_email_is_422_with_reason_and_changes_nothing(client, admin, db_path):
    before = db_path.read_bytes()
    response = client.put("/api/regions/1082/contact", headers=admin, json={"name": "X", "email": "x@@viborg"})
    assert response.status_code == 422
    assert response.json["field"] == "email" and response.json["reason"]
    assert db_path.read_bytes() == before


@pytest.mark.parametrize("body", [b"{bad json", b"", b"[1, 2]", b"\xff\xfe"])
def test_malformed_json_is_400(client, admin, db_path, body):
    before = db_path.read_bytes()
    response = client.put("/api/regions/1082/contact", headers=admin, data=body, content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert db_path.read_bytes() == before


def test_a_typo_never_lands_a_change(client, admin):
    response = client.put("/api/regions/Midtjyland/contact", headers=admin, json=MIA)
    assert response.status_code == 404 and "Region Midtjylland" in response.json["suggestions"]


def test_too_large_bodies_are_413(client, admin):
    response = client.put("/api/regions/1082/contact", headers=admin,
                          data=b'{"name": "' + b"x" * 2_000_000 + b'"}', content_type="application/json")
    assert response.status_code == 413 and response.is_json


def test_unknown_routes_and_methods_are_json(client):
    assert client.get("/api/nowhere").json["error"]
    response = client.post("/api/regions")
    assert response.status_code == 405 and response.is_json


def test_english_errors(tmp_path, store, reader):
    from api import create_app
    from api.config import Settings

    app = create_app(Settings(db_path=str(tmp_path / "x.json"), lang="en"), store=store)
    response = app.test_client().get("/api/regions/zzz/contact", headers=reader)
    assert "I know no region" in response.json["error"]


def test_openapi_document_is_valid_and_covers_the_routes(client, app):
    document = client.get("/api/openapi.json").json
    validate(document)
    documented = {path.replace("{", "<").replace("}", ">") for path in document["paths"]}
    served = {re.sub(r"<\w+:", "<", rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api")}
    assert served == documented


def test_reads_need_a_token_and_are_audited(anonymous, client, admin):
    assert anonymous.get("/api/regions/1082/contact").status_code == 401
    assert anonymous.get("/api/contacts").status_code == 401
    assert anonymous.get("/api/health").status_code == 200
    client.get("/api/regions/Viborg/contact")
    trail = client.get("/api/audit?actor=staff", headers=admin).json
    assert trail[0]["actor"] == "staff reader" and trail[0]["action"] == "read_contacts"
    assert trail[0]["target"] == "municipality:0791"


def test_changes_are_audited_with_old_and_new_values(client, admin):
    client.put("/api/regions/1082/contact", headers=admin, json={"name": "Ny Person", "email": "ny@viborg.dk"})
    entry = client.get("/api/audit?target=kkr:1082", headers=admin).json[0]
    assert entry["action"] == "set_contact" and entry["actor"] == "test admin"
    assert entry["old"] == {"name": "Jonas Thor Björnson", "email": "jt@viborg.dk", "organisation": "KKR Midtjylland"}
    assert entry["new"]["name"] == "Ny Person" and entry["new"]["email"] == "ny@viborg.dk"
    client.delete("/api/regions/1082/contact", headers=admin)
    cleared = client.get("/api/audit?action=clear_contact", headers=admin).json[0]
    assert cleared["old"]["name"] == "Ny Person" and "new" not in cleared


def test_the_audit_trail_is_for_admins_and_checks_its_filters(client, admin):
    assert client.get("/api/audit").status_code == 403
    assert client.get("/api/audit?since=yesterday", headers=admin).status_code == 422
    assert client.get("/api/audit?limit=0", headers=admin).status_code == 422
    assert client.get("/api/audit?since=2026-11-23&until=2026-11-24", headers=admin).status_code == 200
