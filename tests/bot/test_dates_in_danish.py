"""Dates, times and counts as Danes write them (and the English as the
English do), in every text a person reads: e-mails over a real SMTP server,
the e-mailed page, Slack's /rkkp-status, the hearing report, the CLI and the
shell.  The JSON API and the CSV keep ISO 8601 for machines."""

import email
import os
import re
import subprocess
import sys
import urllib.parse
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest

from api.config import Settings
from bot.__main__ import main
from bot.web import create_web_app
from handlers import ack_tokens, broadcasts, deliveries, hearings
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import slash_command
from tests.support.smtp import free_port, smtp_server

ROOT = Path(__file__).resolve().parents[2]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2030-01-15",
           "link": "https://www.rkkp.dk/dhrd"}
ACKED = NOW.replace(hour=15, minute=32, second=22)  # 23 November 2026, 15:32 in Copenhagen


def no_iso(text: str) -> str:
    assert not ISO.search(text), ISO.search(text).group(0) + " in:\n" + text
    return text


@pytest.fixture(params=["da", "en"])
def mailed(request, store, db_path):
    """The web app e-mailing over SMTP, in Danish or English, served over HTTP."""
    set_municipality_contact(store, "Aarhus", {"name": "Åse Aarhus", "email": "aase@aarhus.dk"}, NOW)
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    with smtp_server() as (mailbox, smtp_url):
        port = free_port()
        settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}",
                            dispatch_interval=0.2, lang=request.param)
        clock = Clock(NOW)
        app = create_web_app(settings, store=store, clock=clock)
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        with serve_in_thread(app, port) as base:
            yield {"lang": request.param, "base": base, "mailbox": mailbox, "clock": clock,
                   "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def post_form(url, fields=None):
    return call("POST", url, urllib.parse.urlencode(fields or {}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})


WORDS = {
    "da": {"deadline": "Høringsfrist: 15. januar 2030", "acked": "23. november 2026 kl. 15.32",
           "forwarded": "Sendt videre til 2 kommuner i Region Midtjylland.",
           "header": "Høring – DHRD", "page_acked": "Jonas Thor Björnson kvitterede for modtagelsen den ",
           "tier2": "Du får denne besked som kontaktperson for Aarhus Kommune via KKR Midtjylland "
                    "(kontaktperson: Jonas Thor Björnson).",
           "municipal": "Kommunens frist for høringssvar: 8. januar 2030."},
    "en": {"deadline": "Deadline: 15 January 2030", "acked": "23 November 2026 at 15:32",
           "forwarded": "Forwarded to 2 municipalities in Region Midtjylland.",
           "header": "Hearing – DHRD", "page_acked": "Jonas Thor Björnson acknowledged receipt on ",
           "tier2": "You receive this as the contact for Aarhus Kommune, via KKR Midtjylland "
                    "(contact: Jonas Thor Björnson).",
           "municipal": "The municipality's deadline for its reply: 8 January 2030."},
}


def test_the_hearing_e_mail_and_its_page_show_dates_as_people_write_them(mailed):
    words = WORDS[mailed["lang"]]
    code, created = call("POST", mailed["base"] + "/api/broadcasts", HEARING, mailed["auth"])
    assert code == 201 and created["deadline"] == "2030-01-15"          # the API stays ISO
    mailed["mailbox"].wait_for(5)
    jonas = mailed["mailbox"].to("jt@viborg.dk")[0]
    text = no_iso(jonas.get_body(("plain",)).get_content())
    assert words["deadline"] in text and words["header"] in text
    link = re.search(r"(http://\S+/ack/\S+)", text).group(1)

    mailed["clock"].now = ACKED
    code, page = post_form(link)
    assert code == 200
    code, again = post_form(link)
    assert words["acked"] in no_iso(again)                           # "already acknowledged ... at ..."
    code, page = call("GET", link)
    assert words["page_acked"] + words["acked"] in no_iso(page) and words["deadline"] in page

    code, page = post_form(link + "/forward")
    assert words["forwarded"] in page
    mailed["mailbox"].wait_for(7)
    aarhus = no_iso(mailed["mailbox"].to("aase@aarhus.dk")[0].get_body(("plain",)).get_content())
    # A municipality is given its own, earlier deadline (5 working days before the hearing's).
    assert words["tier2"] in aarhus and words["municipal"] in aarhus


APPOINTMENT = {"disease_area": "Hjerterehabilitering", "representatives": 1, "next_meeting": "2027-01-14",
               "justification": "Én repræsentant dækker forløbet."}
APPOINTMENT_WORDS = {
    "da": ["Udpegning af kommunale repræsentanter – DHRD", "udpeget 1 kommunal repræsentant til"],
    "en": ["Appointment of municipal representatives – DHRD", "have 1 municipal representative appointed"],
}


def test_the_appointment_request_is_headed_by_kind_and_database(mailed):
    code, _ = call("POST", mailed["base"] + "/api/databases/dhrd/appointments", APPOINTMENT, mailed["auth"])
    assert code == 201
    text = mailed["mailbox"].wait_for(1)[0].get_body(("plain",)).get_content()
    assert all(words in text for words in APPOINTMENT_WORDS[mailed["lang"]]), text


def test_one_municipality_is_one_kommune(store):
    from api import create_app

    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    app = create_app(Settings(db_path=str(store.path), lang="da"), store=store, clock=lambda: NOW)
    client = app.test_client()
    path = _sent_link(store)
    page = client.post(path + "/forward").get_data(as_text=True)
    assert "Sendt videre til 1 kommune i Region Midtjylland." in page


def test_a_municipality_reached_through_kl_is_told_so(store):
    from api import create_app

    set_municipality_contact(store, "Roskilde", {"name": "Rie Ros", "email": "rie@roskilde.dk"}, NOW)
    client = create_app(Settings(db_path=str(store.path)), store=store, clock=lambda: NOW).test_client()
    client.post(_sent_link(store, region="1085") + "/forward")          # Region Sjælland: via KL's contact
    with store.read(broadcasts.part_of(1)) as view:
        roskilde = next(d for d in view.all("deliveries") if d["tier"] == 2)
    page = client.get("/ack/" + ack_tokens.make(ack_tokens.server_secret(store), 1, roskilde["id"]))
    assert ("Du får denne besked som kontaktperson for Roskilde Kommune. KKR Sjælland har endnu ingen "
            "kontaktperson, så beskeden er sendt videre via KL.") in page.get_data(as_text=True)


def test_only_a_hearing_has_a_horingsfrist(store):
    from api import create_app

    info = {"kind": "info", "database": "DHRD", "title": "Ny vejledning", "deadline": "2030-01-15"}
    broadcasts.create_broadcast(store, info, by="Anne Nakano", now=NOW)
    item = deliveries.claim_due(store, NOW, ack_tokens.server_secret(store))[0]
    deliveries.record_sent(store, item, "email", {}, NOW)
    client = create_app(Settings(db_path=str(store.path)), store=store, clock=lambda: NOW).test_client()
    page = client.get(f"/ack/{item.ack_token}").get_data(as_text=True)
    assert "Frist: 15. januar 2030" in page and "Høringsfrist" not in page


def _sent_link(store, region="1082"):
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    secret = ack_tokens.server_secret(store)
    sent = {}
    for item in deliveries.claim_due(store, NOW, secret):
        deliveries.record_sent(store, item, "email", {}, NOW)
        sent[item.region] = item.delivery_id
    return "/ack/" + ack_tokens.make(secret, status["id"], sent[region])


def _acknowledged_hearing(store):
    """A hearing whose Midtjylland contact acknowledged at 15:32 and replied."""
    _sent_link(store)
    with store.read(broadcasts.part_of(1)) as view:
        jonas = next(d for d in view.all("deliveries") if d["region"] == "1082")
    deliveries.acknowledge(store, 1, jonas["id"], ACKED)
    hearings.reply_by_delivery(store, 1, jonas["id"], "Vi bakker op om indikatorerne.", ACKED)


def test_the_report_shows_danish_dates_and_the_csv_keeps_iso(client, store, settings):
    _acknowledged_hearing(store)
    consultant, _ = create_token(store, "consultant", "Anne", NOW)
    auth = {"Authorization": f"Bearer {consultant}"}
    markdown = client.get("/api/hearings/1/report?format=md", headers=auth).get_data(as_text=True)
    assert "Høringsfrist: 15. januar 2030" in no_iso(markdown)
    assert "Fra Jonas Thor Björnson den 23. november 2026 kl. 15.32" in markdown
    assert client.get("/api/hearings/1/report", headers=auth).get_json()["hearing"]["deadline"] == "2030-01-15"
    csv = client.get("/api/hearings/1/report?format=csv", headers=auth).get_data(as_text=True)
    assert "2026-11-23T15:32:22+01:00" in csv


def test_rkkp_status_in_slack_says_when_in_danish(store, db_path):
    _acknowledged_hearing(store)
    with fake_slack() as fake:
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret="s",
                            slack_api_url=fake.url + "/api/", dispatch_interval=60,
                            consultants=("UBO",))  # in Slack, status is for consultants
        app = create_web_app(settings, store=store, clock=Clock(ACKED))
        with serve_in_thread(app) as base:
            slash_command(base + "/slack/events", "s", "/rkkp-status", "1", "UBO", fake.url + "/response/bo")
            answer = fake.wait_for("response_url")[0]["text"]
            slash_command(base + "/slack/events", "s", "/rkkp-status", "", "UBO", fake.url + "/response/bo2")
            listing = fake.wait_for("response_url", 2)[1]["text"]
        app.config["DISPATCHER"].stop()
    assert "kvitteret af Jonas Thor Björnson den 23. november 2026 kl. 15.32" in no_iso(answer)
    assert "Høringsfrist: 15. januar 2030" in answer and "mislykkedes" not in answer
    assert "23. november 2026 kl. 09.00" in no_iso(listing)


def _shell(db_path, line, **env):
    run_env = {**os.environ, "KKRBOT_DB": str(db_path), **env}
    return subprocess.run([sys.executable, "-m", "bot", "shell"], input=line, capture_output=True, text=True,
                          cwd=ROOT, env=run_env, timeout=60).stdout


def test_the_shell_shows_times_in_kkrbot_tz(store, db_path):
    _acknowledged_hearing(store)
    assert "den 23. november 2026 kl. 15.32" in no_iso(_shell(db_path, "/rkkp-status 1\n"))
    in_utc = _shell(db_path, "/rkkp-status 1\n", KKRBOT_TZ="UTC")
    assert "den 23. november 2026 kl. 14.32" in no_iso(in_utc)
    english = _shell(db_path, "/rkkp-report 1\n", KKRBOT_LANG="en", KKRBOT_TZ="Europe/London")
    assert "From Jonas Thor Björnson on 23 November 2026 at 14:32" in no_iso(english)


BAD_CSV = "role,place,name,email\nkkr,Atlantis,Ib,ib@x.dk\nmunicipal,Viborg,Bo,not-an-email\nkl,,Lise,lht@kl.dk\n"
ONE_BAD = BAD_CSV.replace("Atlantis", "Region Sjælland")


@pytest.mark.parametrize("lang, rows, said", ids=["da-2", "da-1", "en-2", "en-1"], argvalues=[
    ("da", BAD_CSV, "2 linjer i filen er ugyldige (linje 2 og 3). Intet er gemt."),
    ("da", ONE_BAD, "1 linje i filen er ugyldig (linje 3). Intet er gemt."),
    ("en", BAD_CSV, "2 lines of the file are invalid (lines 2 and 3); nothing was saved."),
    ("en", ONE_BAD, "1 line of the file is invalid (line 3); nothing was saved."),
])
def test_a_csv_import_counts_its_bad_lines_in_words(tmp_path, db_path, monkeypatch, capsys, lang, rows, said):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_LANG", lang)
    path = tmp_path / "contacts.csv"
    path.write_text(rows, encoding="utf-8")
    assert main(["directory", "import", str(path)]) == 1
    assert said in capsys.readouterr().err


def test_a_reminder_names_the_deadline_as_a_date(store, db_path):
    from bot import scheduler
    from bot.web import build_dispatcher

    clock = Clock(NOW)
    dispatcher = build_dispatcher(store, Settings(db_path=str(db_path)), clock)
    broadcasts.create_broadcast(store, {**HEARING, "deadline": "2026-12-15"}, by="Anne Nakano", now=NOW)
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    clock.now = NOW + timedelta(days=22)                              # 15 December, 09:00: 1 working day left
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    texts = [email.message_from_bytes(p.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
             for p in (db_path.parent / "outbox").glob("*.eml")]
    reminder = next(t for t in texts if "mangler at sende et samlet høringssvar" in t)
    assert "Høringsfristen er 15. december 2026." in reminder


WHEN = {"da": r"den \d{1,2}\. [a-zæøå]+ \d{4} kl\. \d{2}\.\d{2}", "en": r"on \d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}"}
TOKEN_WORDS = {"da": ("udløber", "tilbagekaldt", "Tilbagekaldt: "), "en": ("expires", "revoked", "Revoked: ")}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_token_list_says_when_in_words(db_path, monkeypatch, capsys, lang):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_LANG", lang)
    expires, revoked, revoke_note = TOKEN_WORDS[lang]
    main(["token", "create", "--role", "reader", "--name", "Old", "--expires-days", "30"])
    main(["token", "create", "--role", "reader", "--name", "Gone"])
    capsys.readouterr()
    assert main(["token", "revoke", "Gone"]) == 0
    assert capsys.readouterr().out.startswith(revoke_note)
    main(["token", "list"])
    listed = no_iso(capsys.readouterr().out)
    assert re.search(f"{expires} {WHEN[lang]}", listed) and re.search(f"{revoked} {WHEN[lang]}", listed), listed


@pytest.mark.parametrize("lang, said", [
    ("da", "mima@haderslev.dk er nu person-"), ("da", ": 1 kontakt fjernet, 0 pladser i styregrupper frigjort, "),
    ("en", ": 1 contact removed, 0 steering-group seats vacated, "),
])
def test_forgetting_a_person_counts_in_words(db_path, monkeypatch, capsys, lang, said):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_LANG", lang)
    assert main(["directory", "forget", "mima@haderslev.dk"]) == 0
    out = capsys.readouterr().out
    assert said in out and "(s)" not in out and "(er)" not in out
