"""Closing a hearing sends the final indicators to everyone the hearing
reached, through a real SMTP server, and its record names who it could not
reach."""

import time

import pytest

from bot.channels.mail import MailChannel
from bot.dispatch import Dispatcher
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.smtp import smtp_server

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}
FINAL = "De endelige indikatorer er 1-4."


@pytest.fixture
def world(store, client):
    with smtp_server() as (mailbox, url):
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        consultant = {"Authorization": f"Bearer {token}"}
        channel = MailChannel(url, "kkr-bot@rkkp.dk", "https://kkr.rkkp.dk", "da")
        yield {"mailbox": mailbox, "consultant": consultant,
               "send": lambda: Dispatcher(store, lambda: NOW, [channel]).drain()}


def closings(mailbox):
    return sorted(m["To"].addresses[0].addr_spec for m in mailbox.messages
                  if FINAL in m.get_body(("plain",)).get_content())


def test_closing_reaches_everyone_reached_and_records_who_it_could_not(store, client, world):
    mailbox, consultant, send = world["mailbox"], world["consultant"], world["send"]
    for place, name, address in (("Viborg", "Bo Ek", "bo@viborg.dk"), ("Skive", "Sif Dahl", "sif@skive.dk"),
                                 ("Odense", "Ole Hald", "oh@odense.dk")):
        set_municipality_contact(store, place, {"name": name, "email": address}, NOW)
    mailbox.refuse.add("php@aalborg.dk")                    # Nordjylland's notice is never delivered
    hid = client.post("/api/broadcasts", json=HEARING, headers=consultant).json["id"]
    send()
    client.post(f"/api/broadcasts/{hid}/forward", json={"region": "Midtjylland"}, headers=consultant)
    send()
    client.post(f"/api/broadcasts/{hid}/forward", json={"region": "Syddanmark"}, headers=consultant)
    # Odense's notice is still queued when the hearing closes.

    response = client.post(f"/api/hearings/{hid}/close", headers=consultant, json={"message": FINAL})
    assert response.status_code == 200
    closed = response.json
    # Jonas, Mia, the KL contact (for Hovedstaden and Sjælland, once), Bo and Sif.
    assert closed["queued"] == 5
    record = closed["closing"]
    assert (record["by"], record["message"], record["queued"]) == ("Anne Nakano", FINAL, 5)
    missing = record["not_reached"]
    assert [(r["name"], "550" in r["error"]) for r in missing["regions_not_delivered"]] == [
        ("Region Nordjylland", True)]
    assert [(r["name"], r["municipalities"]) for r in missing["regions_not_forwarded"]] == [
        ("Region Nordjylland", 11), ("Region Hovedstaden", 29), ("Region Sjælland", 17)]
    assert [m["name"] for m in missing["municipalities_not_delivered"]] == ["Odense"]
    without = missing["municipalities_without_contact"]
    assert len(without) == 17 + 21 and {"Herning", "Kolding"} <= {m["name"] for m in without}
    assert record["counts"] == {"regions_not_delivered": 1, "regions_not_forwarded": 3,
                                "municipalities_not_delivered": 1, "municipalities_without_contact": 38}

    status = client.get(f"/api/broadcasts/{hid}").json
    assert status["closing"] == record and status["closed_at"]

    send()
    assert closings(mailbox) == ["bo@viborg.dk", "jt@viborg.dk", "lht@kl.dk", "mima@haderslev.dk", "sif@skive.dk"]
    time.sleep(0.2)
    assert mailbox.to("oh@odense.dk") == []                  # no hearing notice after the hearing closed
    assert client.get(f"/api/broadcasts/{hid}").json["closing"]["not_reached"] == missing
