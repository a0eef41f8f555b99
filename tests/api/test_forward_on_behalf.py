"""Only a delivery's recipient acknowledges it: a consultant's forward is
recorded as theirs, on the region's behalf; the KKR contact's own forward
and a recipient's own reply are their acknowledgement.  Over the API and the
e-mailed pages, the messages read from the outbox."""

import pytest

from tests.support.chain import new_chain


@pytest.fixture
def chain(store, client, tmp_path):
    return new_chain(store, client, tmp_path / "outbox")


def test_a_consultants_forward_is_theirs_on_the_regions_behalf_not_the_kkr_contacts_acknowledgement(chain):
    done = chain.forward()
    assert sorted(done["added"]) == ["Skive", "Viborg"]
    row = chain.region("1082")
    assert (row["state"], row["acknowledged_by"], row["acknowledged_at"]) == ("sent", None, None)
    assert row["forwarded_by"] == "Anne Nakano" and row["forwarded_on_behalf"] is True
    assert row["municipalities"]["reached"] == 2

    page = chain.client.get(chain.link("jt@viborg.dk")).get_data(as_text=True)
    assert "af Anne Nakano (RKKP) på regionens vegne" in page
    assert 'action="/ack/' in page and "Kvittér for modtagelsen</button>" in page  # still Jonas's to acknowledge
    trail = chain.client.get("/api/audit?action=forward", headers=chain.admin).json
    assert [(e["actor"], e["on_behalf"]) for e in trail] == [("Anne Nakano", True)]
    assert chain.client.get("/api/audit?action=acknowledge", headers=chain.admin).json == []

    chain.client.post(chain.link("jt@viborg.dk"))
    row = chain.region("1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "Jonas Thor Björnson"
    assert row["forwarded_by"] == "Anne Nakano"


def test_the_kkr_contacts_own_forward_is_their_acknowledgement(chain):
    page = chain.client.post(chain.link("jt@viborg.dk") + "/forward").get_data(as_text=True)
    assert "Region Midtjylland" in page
    row = chain.region("1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "Jonas Thor Björnson"
    assert row["forwarded_by"] == "Jonas Thor Björnson" and row["forwarded_on_behalf"] is False


def test_a_reply_acknowledges_the_repliers_own_delivery_and_only_theirs(chain):
    chain.forward()
    saved = chain.client.post(chain.link("bo@viborg.dk") + "/reply", data={"text": "Viborg: enig."})
    assert saved.status_code == 200
    municipalities = chain.region("1082")["municipalities"]
    assert (municipalities["acknowledged"], municipalities["not_acknowledged"]) == (1, ["Skive"])
    assert "kvitterede for modtagelsen den" in chain.client.get(chain.link("bo@viborg.dk")).get_data(as_text=True)

    # A reply a consultant records on Skive's behalf is not Skive's acknowledgement.
    on_behalf = chain.client.post(f"/api/hearings/{chain.id}/replies", headers=chain.consultant,
                                  json={"region": "1082", "municipality": "Skive", "text": "Skive: enig."})
    assert on_behalf.status_code == 201
    assert chain.region("1082")["municipalities"]["not_acknowledged"] == ["Skive"]

    chain.client.post(chain.link("jt@viborg.dk") + "/reply", data={"text": "Midtjylland samlet: enig."})
    row = chain.region("1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "Jonas Thor Björnson"
    assert row["reply"]["by"] == "Jonas Thor Björnson"
