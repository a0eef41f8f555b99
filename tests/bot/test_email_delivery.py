"""Broadcasts by e-mail through a real SMTP server, acknowledged by following
the e-mailed link over HTTP."""

import email
import re
import time
from datetime import timedelta
from email import policy

import pytest

from api.config import Settings
from bot.channels.outbox import OutboxChannel
from bot.dispatch import Dispatcher
from bot.web import create_web_app
from data import Store
from handlers.broadcasts import create_broadcast, part_of
from handlers.directory import DIRECTORY
from handlers.directory_admin import set_municipality_contact, set_region_contact
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.smtp import free_port, smtp_server
from tests.support.waiting import wait_until

AUTH = {}
# A display name that, pasted into a header as text, would add a recipient.
SPY = 'Pia", spy@attacker.example, "x'
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Høring over kommunale indikatorer",
           "body": "Se materialet via linket.", "link": "https://www.rkkp.dk/dhrd", "deadline": "2026-12-15"}


@pytest.fixture
def mail():
    with smtp_server() as (mailbox, url):
        yield mailbox, url


@pytest.fixture
def running(store, db_path, mail):
    """The web app with its dispatcher, served over HTTP, e-mailing via SMTP."""
    mailbox, smtp_url = mail
    port = free_port()
    settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}",
                        dispatch_interval=0.2)
    clock = Clock(NOW)
    app = create_web_app(settings, store=store, clock=clock)
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    AUTH["reader"] = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(app, port) as base:
        yield {"base": base, "app": app, "clock": clock, "mailbox": mailbox,
               "auth": {"Authorization": f"Bearer {token}"}}
    app.config["DISPATCHER"].stop()


def link_in(message) -> str:
    return re.search(r"(http://\S+/ack/\S+)", message.get_body(("plain",)).get_content()).group(1)


def region(base, broadcast_id, code):
    status = call("GET", f"{base}/api/broadcasts/{broadcast_id}", headers=AUTH["reader"])[1]
    return next(r for r in status["regions"] if r["region"]["code"] == code)


def test_broadcast_reaches_every_region_by_email(running):
    status, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    assert status == 201
    messages = running["mailbox"].wait_for(5)
    assert sorted(m["To"].addresses[0].addr_spec for m in messages) == [
        "jt@viborg.dk", "lht@kl.dk", "lht@kl.dk", "mima@haderslev.dk", "php@aalborg.dk"]
    jonas = running["mailbox"].to("jt@viborg.dk")[0]
    assert jonas["Subject"] == "[RKKP DHRD] Høring: Høring over kommunale indikatorer"
    text = jonas.get_body(("plain",)).get_content()
    assert "Høringsfrist: 15. december 2026" in text and "https://www.rkkp.dk/dhrd" in text
    assert "KKR-kontaktperson for Region Midtjylland" in text
    kl_texts = [m.get_body(("plain",)).get_content() for m in running["mailbox"].to("lht@kl.dk")]
    assert any("Region Sjælland har endnu ingen KKR-kontaktperson" in t for t in kl_texts)
    wait_until(lambda: region(running["base"], body["id"], "1082")["state"] == "sent")
    assert region(running["base"], body["id"], "1082")["channel"] == "email"


def test_opening_the_link_does_not_acknowledge_only_the_button_does(running):
    _, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    running["mailbox"].wait_for(5)
    link = link_in(running["mailbox"].to("jt@viborg.dk")[0])
    wait_until(lambda: region(running["base"], body["id"], "1082")["state"] == "sent")

    for _ in range(3):  # a mail scanner, then the person, opening the link
        status, page = call("GET", link)
        assert status == 200 and "Høring over kommunale indikatorer" in page and 'method="post"' in page
    assert region(running["base"], body["id"], "1082")["state"] == "sent"

    status, page = call("POST", link, b"")
    assert status == 200 and "Tak – du har kvitteret for modtagelsen." in page
    row = region(running["base"], body["id"], "1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "Jonas Thor Björnson"

    status, page = call("POST", link, b"")
    assert status == 200 and "allerede kvitteret" in page
    assert region(running["base"], body["id"], "1082")["acknowledged_at"] == row["acknowledged_at"]


def test_a_forged_link_is_refused_and_changes_nothing(running):
    _, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    running["mailbox"].wait_for(5)
    link = link_in(running["mailbox"].to("jt@viborg.dk")[0])
    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    status, page = call("POST", forged, b"")
    assert status == 404 and "Linket virker ikke" in page
    assert region(running["base"], body["id"], "1082")["state"] != "acknowledged"


def test_forwarding_from_the_email_page_reaches_the_municipalities(running, store):
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Skive", {"name": "Sif Dahl", "email": "sif@skive.dk"}, NOW)
    _, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    running["mailbox"].wait_for(5)
    link = link_in(running["mailbox"].to("jt@viborg.dk")[0])
    status, page = call("POST", link + "/forward", b"")
    assert status == 200 and "Sendt videre til 2 kommuner i Region Midtjylland" in page
    assert "Disse kommuner har ingen kontaktperson og har ikke fået beskeden:" in page and "Herning" in page
    messages = running["mailbox"].wait_for(7)
    bo = running["mailbox"].to("bo@viborg.dk")[0]
    assert "for Viborg Kommune via KKR Midtjylland (kontaktperson: Jonas Thor Björnson)" in bo.get_body(
        ("plain",)).get_content()
    call("POST", link + "/forward", b"")
    time.sleep(0.5)
    assert len(running["mailbox"].messages) == len(messages) == 7

    call("POST", link_in(bo), b"")
    wait_until(lambda: region(running["base"], body["id"], "1082")["municipalities"]["acknowledged"] == 1)
    counts = region(running["base"], body["id"], "1082")["municipalities"]
    assert (counts["total"], counts["reached"], counts["not_acknowledged"]) == (19, 2, ["Skive"])


def test_a_refused_email_is_recorded_and_retried(running):
    running["mailbox"].refuse.add("mima@haderslev.dk")
    _, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    running["mailbox"].wait_for(4)
    wait_until(lambda: region(running["base"], body["id"], "1083")["state"] == "failed")
    row = region(running["base"], body["id"], "1083")
    assert "550" in row["last_error"]

    running["mailbox"].refuse.clear()
    time.sleep(0.5)
    assert running["mailbox"].to("mima@haderslev.dk") == []  # not before the back-off
    running["clock"].advance(timedelta(seconds=31))
    running["app"].config["DISPATCHER"].kick()
    wait_until(lambda: running["mailbox"].to("mima@haderslev.dk"))
    wait_until(lambda: region(running["base"], body["id"], "1083")["state"] == "sent")
    assert region(running["base"], body["id"], "1083")["last_error"] is None


def test_broadcast_api_errors(running):
    base, auth = running["base"], running["auth"]
    assert call("POST", base + "/api/broadcasts", HEARING)[0] == 401
    status, body = call("POST", base + "/api/broadcasts", {**HEARING, "deadline": None}, auth)
    assert status == 422 and body["field"] == "deadline"
    assert call("POST", base + "/api/broadcasts", b"{nope", auth)[0] == 400
    assert call("GET", base + "/api/broadcasts/42", headers=auth)[0] == 404
    assert call("POST", base + "/api/broadcasts/42/forward", {"region": "1082"}, auth)[0] == 404
    assert call("GET", base + "/api/broadcasts", headers=auth)[1] == []
    assert call("GET", base + "/api/broadcasts")[0] == 401
    reader, _ = create_token(running["app"].config["STORE"], "reader", "R", NOW)
    assert call("POST", base + "/api/broadcasts", HEARING, {"Authorization": f"Bearer {reader}"})[0] == 403


def test_idempotency_key_makes_a_retried_post_safe(running):
    headers = {**running["auth"], "Idempotency-Key": "rkkp-2026-11-23-1"}
    first = call("POST", running["base"] + "/api/broadcasts", HEARING, headers)
    again = call("POST", running["base"] + "/api/broadcasts", HEARING, headers)
    assert (first[0], again[0]) == (201, 200) and first[1]["id"] == again[1]["id"]
    running["mailbox"].wait_for(5)
    time.sleep(0.5)
    assert len(running["mailbox"].messages) == 5


def test_a_name_with_quotes_and_commas_adds_no_recipient(running, store):
    set_region_contact(store, "Syddanmark", {"name": SPY, "email": "pia@haderslev.dk"}, NOW)
    call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    mailbox = running["mailbox"]
    mailbox.wait_for(5)
    assert all(len(recipients) == 1 for recipients in mailbox.envelopes)
    assert "spy@attacker.example" not in str(mailbox.envelopes)
    pia = [m for m, rcpt in zip(mailbox.messages, mailbox.envelopes, strict=True) if rcpt == ["pia@haderslev.dk"]]
    assert len(pia) == 1
    assert [(a.display_name, a.addr_spec) for a in pia[0]["To"].addresses] == [(SPY, "pia@haderslev.dk")]
    assert [a.addr_spec for a in pia[0]["From"].addresses] == ["kkr-bot@localhost"]


def outbox_messages(folder) -> dict[str, email.message.EmailMessage]:
    return {path.name: email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(folder.glob("*.eml"))}


def test_the_outbox_file_has_one_recipient_too(store, tmp_path):
    set_region_contact(store, "Syddanmark", {"name": SPY, "email": "pia@haderslev.dk"}, NOW)
    create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    outbox = OutboxChannel(tmp_path / "outbox", "RKKP <kkr-bot@rkkp.dk>", "https://kkr.rkkp.dk", "da")
    Dispatcher(store, lambda: NOW, [outbox]).drain()
    messages = outbox_messages(tmp_path / "outbox")
    pia = [m for m in messages.values() if "pia@haderslev.dk" in str(m["To"])]
    assert len(messages) == 5 and len(pia) == 1
    assert [(a.display_name, a.addr_spec) for a in pia[0]["To"].addresses] == [(SPY, "pia@haderslev.dk")]
    assert [(a.display_name, a.addr_spec) for a in pia[0]["From"].addresses] == [("RKKP", "kkr-bot@rkkp.dk")]


def test_a_retried_delivery_keeps_its_message_id(running):
    mailbox = running["mailbox"]
    mailbox.defer.add("jt@viborg.dk")
    _, body = call("POST", running["base"] + "/api/broadcasts", HEARING, running["auth"])
    wait_until(lambda: region(running["base"], body["id"], "1082")["state"] == "failed")
    assert "451" in region(running["base"], body["id"], "1082")["last_error"]

    mailbox.defer.clear()
    running["clock"].advance(timedelta(seconds=31))
    running["app"].config["DISPATCHER"].kick()
    wait_until(lambda: mailbox.to("jt@viborg.dk"))
    first, again = mailbox.deferred[0], mailbox.to("jt@viborg.dk")[0]
    assert again["Message-ID"] == first["Message-ID"]
    assert re.fullmatch(rf"<kkrbot\.b{body['id']}\.d\d+\.[0-9a-f]{{12}}@localhost>", first["Message-ID"])
    assert len({m["Message-ID"] for m in mailbox.wait_for(5)}) == 5


def test_message_ids_differ_between_installations(tmp_path):
    ids = []
    for name in ("one", "two"):
        store = Store(tmp_path / name / "kkrbot.json")
        seed_directory(store, NOW)
        create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
        outbox = OutboxChannel(tmp_path / name / "outbox", "kkr-bot@rkkp.dk", "https://kkr.rkkp.dk", "da")
        Dispatcher(store, lambda: NOW, [outbox]).drain()
        ids.append(outbox_messages(tmp_path / name / "outbox")["broadcast-1-delivery-1.eml"]["Message-ID"])
    assert ids[0].startswith("<kkrbot.b1.d1.") and ids[1].startswith("<kkrbot.b1.d1.")
    assert ids[0] != ids[1]


def test_a_line_break_stored_before_it_was_refused_does_not_stop_the_mail(store, tmp_path):
    """Names and titles stored before control characters were refused are
    sent on one line, instead of failing every retry."""
    with store.write(DIRECTORY) as tx:
        mia = tx.find("contacts", role="kkr", region="1083")[0]
        tx.update("contacts", mia["id"], {"name": "Mia\r\nBcc: spy@attacker.example"})
    status, _ = create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    with store.write(part_of(status["id"])) as tx:
        tx.update("broadcast", 1, {"title": "Høring\nBcc: spy@attacker.example"})
    Dispatcher(store, lambda: NOW, [OutboxChannel(tmp_path / "outbox", "kkr-bot@rkkp.dk",
                                                  "https://kkr.rkkp.dk", "da")]).drain()
    messages = outbox_messages(tmp_path / "outbox")
    mia = next(m for m in messages.values() if "mima@haderslev.dk" in str(m["To"]))
    assert len(messages) == 5 and mia["Bcc"] is None
    assert [(a.display_name, a.addr_spec) for a in mia["To"].addresses] == [
        ("Mia Bcc: spy@attacker.example", "mima@haderslev.dk")]
    assert mia["Subject"] == "[RKKP DHRD] Høring: Høring Bcc: spy@attacker.example"
