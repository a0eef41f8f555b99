"""The dashboard's sign-in without passwords (issue 14): a single-use,
short-lived link e-mailed to a person the directory knows, a signed session
cookie, CSRF tokens on every form, sign-out, and the broadcasts list.

Through the Flask test client of the real web app, e-mailing through a real
SMTP server (aiosmtpd) on loopback."""

import re
import time
from datetime import timedelta

import pytest

from api.config import Settings
from bot.web import create_web_app
from handlers import broadcasts
from handlers.erasure import forget
from handlers.i18n import t
from tests.conftest import NOW
from tests.support.servers import Clock
from tests.support.smtp import smtp_server

KNOWN = "jt@viborg.dk"  # Jonas, the KKR contact of Midtjylland (seeded)
INFO = {"kind": "info", "database": "DHRD", "title": "Nyt om indikatorer"}


@pytest.fixture
def mail():
    with smtp_server() as (mailbox, url):
        yield mailbox, url


@pytest.fixture
def web(store, db_path, mail):
    mailbox, smtp_url = mail
    clock = Clock(NOW)
    settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url="http://dashboard.test")
    app = create_web_app(settings, store=store, clock=clock, dispatch=False)
    return {"app": app, "client": app.test_client(), "clock": clock, "mailbox": mailbox}


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def ask_for_link(client, address: str):
    page = client.get("/status/sign-in").get_data(as_text=True)
    return client.post("/status/sign-in", data={"email": address, "csrf": csrf(page)})


def mailed_link(mailbox, address: str) -> str:
    mailbox.wait_for(1)
    body = mailbox.to(address)[-1].get_content()
    return re.search(r"http://dashboard\.test(/status/sign-in/\S+)", body).group(1)


def sign_in(client, path: str):
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path, data={"csrf": csrf(page.get_data(as_text=True))})


def test_a_known_address_gets_a_link_that_signs_in_once(web, store):
    client, mailbox = web["client"], web["mailbox"]
    assert client.get("/status").headers["Location"].endswith("/status/sign-in")
    known = ask_for_link(client, KNOWN)
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)  # nothing tells the two apart
    path = mailed_link(mailbox, KNOWN)
    assert len(mailbox.messages) == 1
    # Opening the link (as a mail scanner does) signs nobody in; its button does.
    assert client.get(path).status_code == 200 and client.get("/status").status_code == 302
    signed_in = sign_in(client, path)
    assert signed_in.status_code == 303 and signed_in.headers["Location"].endswith("/status")
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/status").status_code == 200
    again = web["app"].test_client()
    refused = sign_in(again, path)
    assert refused.status_code == 403
    assert t("signin.link_used", "da") in refused.get_data(as_text=True)
    assert again.get("/status").status_code == 302


def test_a_stale_link_is_refused(web):
    client = web["client"]
    ask_for_link(client, KNOWN)
    path = mailed_link(web["mailbox"], KNOWN)
    web["clock"].advance(timedelta(minutes=16))
    refused = sign_in(client, path)
    assert refused.status_code == 403
    assert t("signin.link_expired", "da") in refused.get_data(as_text=True)
    assert client.get("/status").status_code == 302


def test_forms_without_their_csrf_token_are_refused(web):
    client, mailbox = web["client"], web["mailbox"]
    client.get("/status/sign-in")
    assert client.post("/status/sign-in", data={"email": KNOWN}).status_code == 400
    assert client.post("/status/sign-in", data={"email": KNOWN, "csrf": "forged"}).status_code == 400
    assert mailbox.messages == []
    ask_for_link(client, KNOWN)
    sign_in(client, mailed_link(mailbox, KNOWN))
    assert client.post("/status/sign-out").status_code == 400
    assert client.get("/status").status_code == 200  # still signed in
    page = client.get("/status").get_data(as_text=True)
    assert client.post("/status/sign-out", data={"csrf": csrf(page)}).status_code == 303
    assert client.get("/status").status_code == 302


def test_the_session_cookie_is_secure_behind_https(store, db_path, mail):
    mailbox, smtp_url = mail
    settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url="https://dashboard.test")
    client = create_web_app(settings, store=store, clock=lambda: NOW, dispatch=False).test_client()
    ask_for_link(client, KNOWN)
    mailbox.wait_for(1)
    path = re.search(r"https://dashboard\.test(/status/sign-in/\S+)", mailbox.messages[0].get_content()).group(1)
    cookie = sign_in(client, path).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_broadcasts_list_is_newest_first_paginated_and_its_view_audited(web, store):
    for number in range(1, 26):
        broadcasts.create_broadcast(store, {**INFO, "title": f"Nyhedsbrev {number}"}, by="Anne Nakano", now=NOW)
    client = web["client"]
    ask_for_link(client, KNOWN)
    sign_in(client, mailed_link(web["mailbox"], KNOWN))
    first = client.get("/status").get_data(as_text=True)
    titles = re.findall(r"Nyhedsbrev (\d+)<", first)
    assert titles == [str(n) for n in range(25, 5, -1)]
    second = client.get("/status?page=2").get_data(as_text=True)
    assert re.findall(r"Nyhedsbrev (\d+)<", second) == [str(n) for n in range(5, 0, -1)]
    # Jonas is Midtjylland's KKR contact: his region, and its 19 municipalities.
    assert '<progress value="0" max="1"' in first and "0 af 1" in first and "0 af 19" in first
    reads = [e for e in store.audit.entries() if e["actor"] == f"web:{KNOWN}"]
    assert [(e["action"], e["target"]) for e in reads if e["action"] == "read_broadcast"] == [
        ("read_broadcast", "broadcasts")] * 2


def test_a_signed_in_person_is_erased_from_the_sign_in_part(web, store, db_path):
    client = web["client"]
    ask_for_link(client, KNOWN)
    sign_in(client, mailed_link(web["mailbox"], KNOWN))
    forget(store, KNOWN, NOW)
    text = store.file_of("signin").read_text(encoding="utf-8")
    assert KNOWN not in text and "Jonas" not in text
    assert client.get("/status").status_code == 302  # the session went with them


def test_asking_again_and_again_mails_one_link_a_minute_and_keeps_the_part_small(web, store):
    """Anyone may ask for a link to any address: the server must not become
    a way to flood a contact's inbox, nor grow its sign-in file with every
    request.  One link a minute per person; spent and expired links go."""
    client, mailbox, clock = web["client"], web["mailbox"], web["clock"]
    for _ in range(5):
        assert ask_for_link(client, KNOWN).status_code == 200
    mailbox.wait_for(1)
    clock.now += timedelta(seconds=61)
    ask_for_link(client, KNOWN)
    mailbox.wait_for(2)
    time.sleep(0.5)  # the form mails from a thread of its own: let any further mail arrive
    assert len(mailbox.to(KNOWN)) == 2
    clock.now += timedelta(hours=1)  # both links have expired
    ask_for_link(client, KNOWN)
    mailbox.wait_for(3)
    with store.read("signin") as view:
        assert len(view.all("links")) == 1  # only the live one is kept
