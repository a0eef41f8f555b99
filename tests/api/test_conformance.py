"""Answers the schemathesis run found outside ``/api/openapi.json``, each
checked directly: the status is documented and the body fits its schema."""

import pytest
from openapi_schema_validator import OAS30Validator

LONG = "x" * 201


def _fits(client, template: str, method: str, response) -> None:
    """``response`` is a documented answer of the operation and its JSON fits the schema."""
    document = client.get("/api/openapi.json").json
    responses = document["paths"][template][method]["responses"]
    assert str(response.status_code) in responses, f"{method.upper()} {template}: {response.status_code} undocumented"
    schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(response.json)


@pytest.mark.parametrize("method, template", [
    ("delete", "/api/municipalities/{municipality}/contact"),
    ("put", "/api/municipalities/{municipality}/contact"),
    ("get", "/api/regions/{region}/contact"),
    ("put", "/api/regions/{region}/contact"),
    ("delete", "/api/regions/{region}/contact"),
])
def test_a_place_name_over_200_characters_gets_a_documented_answer(client, admin, method, template):
    path = template.replace("{municipality}", LONG).replace("{region}", LONG)
    response = client.open(path, method=method.upper(), headers=admin,
                           json={"name": "Bo Ek", "email": "bo@viborg.dk"} if method == "put" else None)
    assert response.status_code == 422 and response.json["field"] == "query"
    _fits(client, template, method, response)


@pytest.mark.parametrize("template", [
    "/api/municipalities", "/api/contacts", "/api/databases/{code}/reporting-municipalities"])
def test_a_region_filter_over_200_characters_gets_a_documented_answer(client, admin, template):
    response = client.get(template.replace("{code}", "DHRD") + "?region=" + LONG, headers=admin)
    assert response.status_code == 422
    _fits(client, template, "get", response)


@pytest.mark.parametrize("text, stored", [("  Kun tre regioner har en egnet kandidat.  ",
                                           "Kun tre regioner har en egnet kandidat."), ("", None)])
def test_a_justification_audit_entry_fits_the_document(client, admin, text, stored):
    response = client.put("/api/databases/DHRD/justification", headers=admin, json={"justification": text})
    assert response.status_code == 200 and response.json["justification"] == stored
    trail = client.get("/api/audit?action=justification", headers=admin)
    _fits(client, "/api/audit", "get", trail)
    assert trail.json[0]["new"] == {"justification": stored}


def test_a_justification_entry_written_before_the_fix_is_shown_as_an_object(client, admin, store):
    store.audit.append({"at": "2026-11-20T10:00:00+01:00", "actor": "Anne", "action": "justification",
                        "target": "database:DHRD", "new": ""}, durable=True)
    trail = client.get("/api/audit?action=justification", headers=admin)
    _fits(client, "/api/audit", "get", trail)
    assert trail.json[0]["new"] == {"justification": None}
