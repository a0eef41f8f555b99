"""A hearing's municipalities have their own, earlier deadline, and the KKR
contact is asked to consolidate their replies: over the API, in the OpenAPI
document, in the messages (outbox) and on the e-mailed page."""

import pytest

from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.chain import HEARING, new_chain


@pytest.fixture
def chain(store, client, tmp_path):
    return new_chain(store, client, tmp_path / "outbox")


def test_a_hearing_has_a_municipal_deadline_five_working_days_before_its_deadline(chain):
    status = chain.client.get(f"/api/broadcasts/{chain.id}").json
    assert (status["deadline"], status["municipal_deadline"]) == ("2026-12-15", "2026-12-08")
    listed = chain.client.get("/api/broadcasts").json[0]
    assert listed["municipal_deadline"] == "2026-12-08"


@pytest.mark.parametrize("value, code, stored", [
    ("2026-12-01", 201, "2026-12-01"), ("2026-12-15", 201, "2026-12-15"), ("2026-12-16", 422, None),
    ("2026-11-22", 422, None), ("1. december", 422, None), (20261201, 422, None),
])
def test_the_municipal_deadline_can_be_set_on_or_before_the_deadline(client, store, value, code, stored):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/broadcasts", json={**HEARING, "municipal_deadline": value}, headers=headers)
    assert response.status_code == code, response.json
    if stored:
        assert client.get(f"/api/broadcasts/{response.json['id']}").json["municipal_deadline"] == stored
    else:
        assert response.json["field"] == "municipal_deadline"
        assert client.get("/api/broadcasts").json == []


def test_a_municipal_deadline_is_only_for_hearings(client, store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    info = {"kind": "info", "database": "DHRD", "title": "Nyt", "municipal_deadline": "2026-12-01"}
    response = client.post("/api/broadcasts", json=info, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and response.json["field"] == "municipal_deadline"
    plain = client.post("/api/broadcasts", json={"kind": "info", "database": "DHRD", "title": "Nyt"},
                        headers={"Authorization": f"Bearer {token}"})
    assert plain.status_code == 201 and plain.json["municipal_deadline"] is None


def test_the_openapi_document_has_the_municipal_deadline(client):
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    for name in ("BroadcastInput", "Broadcast", "BroadcastSummary"):
        assert "municipal_deadline" in schemas[name]["properties"], name
    assert {"forwarded_by", "forwarded_on_behalf"} <= set(schemas["RegionDelivery"]["properties"])


def test_the_kkr_contact_is_asked_to_consolidate_and_the_municipalities_get_their_deadline(chain):
    to_jonas = chain.mails("jt@viborg.dk")[0].get_body(("plain",)).get_content()
    consolidate = ("Saml kommunernes høringssvar, og send ét samlet høringssvar for regionen til RKKP senest "
                   "15. december 2026. Kommunerne har frist til 8. december 2026 for at svare dig.")
    assert consolidate in " ".join(to_jonas.split())
    page = chain.client.get(chain.link("jt@viborg.dk")).get_data(as_text=True)
    assert consolidate in " ".join(page.split()) and "Regionens samlede høringssvar" in page

    chain.client.post(chain.link("jt@viborg.dk") + "/forward")
    chain.send()
    to_bo = " ".join(chain.mails("bo@viborg.dk")[0].get_body(("plain",)).get_content().split())
    assert "Kommunens frist for høringssvar: 8. december 2026." in to_bo
    assert "KKR-kontaktpersonen for Region Midtjylland, som samler regionens svar" in to_bo
    assert "15. december 2026" not in to_bo  # RKKP's deadline is the KKR contact's, not the municipality's
