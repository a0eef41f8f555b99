"""The contact look-up's answer, which is encoded once per answer and kept
(api/regions.py): the same bytes jsonify gives, the same headers as every
JSON answer, and never stale once the directory changes, also when another
process changes it."""

import json

from data import Store
from handlers import directory_admin
from tests.conftest import NOW

PLACES = ["Midtjylland", "1083", "Region%20Sj%C3%A6lland", "Koebenhavn", "Viborg"]


def test_the_look_up_answers_what_jsonify_would(app, client, store):
    for place in PLACES:
        response = client.get(f"/api/regions/{place}/contact")
        again = client.get(f"/api/regions/{place}/contact")
        assert response.status_code == 200 and response.mimetype == "application/json"
        with app.app_context():
            expected = app.json.response(response.json).get_data()
        assert response.get_data() == again.get_data() == expected
        assert json.loads(expected) == response.json


def test_the_look_up_is_nosniff_and_not_stored_each_time(client):
    for _ in range(2):  # the second answer comes from the kept body
        response = client.get("/api/regions/Viborg/contact")
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        assert response.headers.getlist("Cache-Control") == ["no-store"]
        assert "Content-Security-Policy" not in response.headers


def test_a_change_by_another_process_is_answered_at_once(client, db_path):
    assert client.get("/api/regions/1085/contact").json["status"] == "pending"
    elsewhere = Store(db_path)  # another process's store: this one's caches know nothing of it
    directory_admin.set_region_contact(elsewhere, "1085", {"name": "Anne Hansen", "email": "anne@roskilde.dk"},
                                       NOW, by="cli")
    body = client.get("/api/regions/1085/contact").json
    assert body["status"] == "active" and body["contact"]["name"] == "Anne Hansen"
    directory_admin.clear_region_contact(elsewhere, "1085", NOW, by="cli")
    assert client.get("/api/regions/Roskilde/contact").json["status"] == "pending"


def test_every_look_up_is_audited_also_from_the_kept_body(client, store):
    for _ in range(3):
        client.get("/api/regions/Viborg/contact")
    reads = [e for e in store.audit.newest_first() if e[1]["action"] == "read_contacts"]
    assert len(reads) == 3
