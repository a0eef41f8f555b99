"""The one JSON parsing place (``api.web.json_body``) refuses what would
otherwise crash later: nesting too deep for the parser, and text that is
valid JSON but not valid Unicode (a lone surrogate cannot be stored)."""

import pytest


def _files(folder):
    """Every file beside the store with its content: nothing stored means none changed."""
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def _put(client, admin, body: bytes, path="/api/municipalities/Viborg/contact"):
    return client.put(path, headers=admin, data=body, content_type="application/json")


@pytest.mark.parametrize("body", [
    b"[" * 5000 + b"]" * 5000,
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    b'{"name": "Bo Ek", "email": "bo@viborg.dk", "title": ' + b"[" * 33 + b"]" * 33 + b"}",
])
def test_deeply_nested_json_is_400_with_a_reason_and_nothing_stored(client, admin, db_path, body):
    before = _files(db_path.parent)
    response = _put(client, admin, body)
    assert response.status_code == 400 and response.is_json
    assert "32" in response.json["error"]
    assert _files(db_path.parent) == before


def test_nesting_within_the_limit_reaches_the_handler(client, admin):
    body = b'{"name": "Bo Ek", "email": "bo@viborg.dk", "title": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = _put(client, admin, body)
    assert response.status_code == 422 and response.json["field"] == "title"


def test_a_lone_surrogate_in_a_field_is_422_naming_the_field_and_nothing_stored(client, admin, db_path):
    before = _files(db_path.parent)
    response = _put(client, admin, b'{"name": "Bo \\ud800 Ek", "email": "bo@viborg.dk"}')
    assert response.status_code == 422 and response.json["field"] == "name"
    assert "name" in response.json["error"]
    assert _files(db_path.parent) == before


@pytest.mark.parametrize("body", [b'{"\\udc00": "x"}', b'{"name": ["\\ud800"], "email": "bo@viborg.dk"}'])
def test_a_lone_surrogate_elsewhere_is_refused_too(client, admin, db_path, body):
    before = _files(db_path.parent)
    response = _put(client, admin, body)
    assert response.status_code in (400, 422) and response.json["error"]
    assert _files(db_path.parent) == before


def test_a_surrogate_pair_is_ordinary_text(client, admin):
    response = _put(client, admin, b'{"name": "Bo \\ud83d\\ude00 Ek", "email": "bo@viborg.dk"}')
    assert response.status_code == 200 and response.json["contact"]["name"] == "Bo \U0001F600 Ek"


def test_a_normal_body_still_works(client, admin):
    response = _put(client, admin, '{"name": "Bo Ék", "email": "bo@viborg.dk"}'.encode())
    assert response.status_code == 200 and response.json["contact"]["name"] == "Bo Ék"


def _json_routes(client):
    """Every documented operation that takes a JSON body, with its path filled in."""
    values = {"region": "1082", "municipality": "Viborg", "code": "DHRD", "broadcast_id": "1", "request_id": "1"}
    for path, item in client.get("/api/openapi.json").json["paths"].items():
        for method, operation in item.items():
            if method != "parameters" and "requestBody" in operation:
                yield method, path.format(**values)


def test_every_json_route_parses_through_the_one_place(client, admin, db_path):
    before = _files(db_path.parent)
    routes = list(_json_routes(client))
    assert len(routes) >= 10
    for method, path in routes:
        response = client.open(path, method=method.upper(), headers=admin, content_type="application/json",
                               data=b"[" * 5000 + b"]" * 5000)
        assert (method, path, response.status_code) == (method, path, 400)
    assert _files(db_path.parent) == before
