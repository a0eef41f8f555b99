"""Hearings over the API and the e-mailed reply page."""

import csv
import io
import re

import pytest

from handlers import ack_tokens, broadcasts
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.factories import forwarded_hearing

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}


@pytest.fixture
def consultant(store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hearing(store):
    status = forwarded_hearing(store)
    secret = ack_tokens.server_secret(store)
    links = {}
    with store.read(broadcasts.part_of(status["id"])) as view:
        for d in view.all("deliveries"):
            links[d["municipality"] or d["region"]] = "/ack/" + ack_tokens.make(secret, status["id"], d["id"])
    return status["id"], links


def test_replies_over_the_api(client, consultant, hearing):
    hid, _ = hearing
    municipal = client.post(f"/api/hearings/{hid}/replies", headers=consultant,
                            json={"region": "Midtjylland", "municipality": "Viborg", "text": "Viborg: enig."})
    assert municipal.status_code == 201 and municipal.json["kind"] == "municipal"
    regional = client.post(f"/api/hearings/{hid}/replies", headers=consultant,
                           json={"region": "1082", "text": "Samlet: enig."})
    assert regional.status_code == 201 and regional.json["kind"] == "regional"
    row = next(r for r in client.get(f"/api/broadcasts/{hid}").json["regions"] if r["region"]["code"] == "1082")
    assert row["reply"]["by"] == "Anne Nakano" and row["municipal_replies"] == ["Viborg"]


@pytest.mark.parametrize("body, status", [
    ({"text": "x"}, 422), ({"region": "1082"}, 422), ({"region": "Atlantis", "text": "x"}, 404),
    ({"region": "1082", "municipality": "Odense", "text": "x"}, 422), ({"region": 5, "text": "x"}, 422),
])
def test_bad_replies(client, consultant, hearing, body, status):
    hid, _ = hearing
    response = client.post(f"/api/hearings/{hid}/replies", headers=consultant, json=body)
    assert response.status_code == status and response.is_json
    found = client.get(f"/api/hearings/{hid}/report", headers=consultant).json
    assert found["missing_regions"][0] == "Region Nordjylland"


def test_replies_need_a_consultant(anonymous, client, reader, hearing):
    hid, _ = hearing
    assert anonymous.post(f"/api/hearings/{hid}/replies", json={"region": "1082", "text": "x"}).status_code == 401
    assert client.post(f"/api/hearings/{hid}/replies", headers=reader,
                       json={"region": "1082", "text": "x"}).status_code == 403


def test_report_formats(client, consultant, hearing):
    hid, _ = hearing
    client.post(f"/api/hearings/{hid}/replies", headers=consultant, json={"region": "1083", "text": "Syd: ok"})
    as_json = client.get(f"/api/hearings/{hid}/report", headers=consultant).json
    assert as_json["hearing"]["title"] == "Kommunale indikatorer"
    markdown = client.get(f"/api/hearings/{hid}/report?format=md", headers=consultant)
    assert markdown.mimetype == "text/markdown" and "## Region Syddanmark" in markdown.get_data(as_text=True)
    as_csv = client.get(f"/api/hearings/{hid}/report?format=csv", headers=consultant)
    assert as_csv.mimetype == "text/csv" and "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert any(r["region_code"] == "1083" and r["text"] == "Syd: ok" for r in rows)
    assert client.get(f"/api/hearings/{hid}/report?format=pdf", headers=consultant).status_code == 422
    assert client.get("/api/hearings/999/report", headers=consultant).status_code == 404


def test_close(client, consultant, hearing):
    hid, _ = hearing
    assert client.post(f"/api/hearings/{hid}/close", headers=consultant, json={}).status_code == 422
    response = client.post(f"/api/hearings/{hid}/close", headers=consultant, json={"message": "Endelige: 1-4"})
    assert response.status_code == 200
    assert (response.json["id"], response.json["closed"], response.json["queued"]) == (hid, True, 5)  # KL once
    again = client.post(f"/api/hearings/{hid}/close", headers=consultant, json={"message": "igen"})
    assert again.status_code == 409


def test_reply_page_for_a_municipality_and_for_the_kkr_contact(client, consultant, hearing):
    hid, links = hearing
    page = client.get(links["0791"]).get_data(as_text=True)
    assert 'name="text"' in page and "Gem høringssvar" in page
    saved = client.post(links["0791"] + "/reply", data={"text": "Viborg: vi er enige."})
    assert saved.status_code == 200 and "høringssvaret er gemt" in saved.get_data(as_text=True)
    kkr_page = client.get(links["1082"]).get_data(as_text=True)
    assert "Svar fra kommunerne i regionen" in kkr_page and "Viborg (Bo Ek): Viborg: vi er enige." in kkr_page
    client.post(links["1082"] + "/reply", data={"text": "Midtjylland samlet: enige."})
    revised = client.post(links["1082"] + "/reply", data={"text": "Midtjylland samlet, revideret."})
    assert revised.status_code == 200
    assert re.search(r"<textarea[^>]*>Midtjylland samlet, revideret\.</textarea>", revised.get_data(as_text=True))
    report = client.get(f"/api/hearings/{hid}/report", headers=consultant).json
    mid = next(r for r in report["regions"] if r["region"]["code"] == "1082")
    assert mid["reply"]["text"] == "Midtjylland samlet, revideret." and mid["reply"]["by"] == "Jonas Thor Björnson"
    assert mid["municipal_replies"][0]["text"] == "Viborg: vi er enige."
    empty = client.post(links["1082"] + "/reply", data={"text": "  "})
    assert empty.status_code == 422 and "skal udfyldes" in empty.get_data(as_text=True)
