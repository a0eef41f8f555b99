"""Hearing deadlines in the recipients' calendars: every hearing notice,
reminder and change of deadline e-mailed through a real SMTP server carries
an iCalendar event (parsed back with icalendar); a changed deadline updates
the same event (same UID, higher SEQUENCE), closing early cancels it."""

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from api.config import Settings
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.smtp import free_port, smtp_server

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Høring over kommunale indikatorer",
           "link": "https://www.rkkp.dk/dhrd", "deadline": "2026-12-15"}
KKR = ["jt@viborg.dk", "lht@kl.dk", "mima@haderslev.dk", "php@aalborg.dk"]


@pytest.fixture
def running(store, db_path):
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    with smtp_server() as (mailbox, smtp_url):
        port = free_port()
        settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}",
                            dispatch_interval=0.2, mail_from="RKKP kkr-bot <kkr-bot@rkkp.dk>")
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        with serve_in_thread(app, port) as base:
            yield {"base": base, "mailbox": mailbox, "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def events_to(mailbox, address: str) -> list[tuple[str, Calendar]]:
    """Each message to ``address`` that carries a calendar: its method as the
    MIME type names it, and the calendar parsed."""
    found = []
    for message in mailbox.to(address):
        parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) <= 1
        for part in parts:
            found.append((part.get_param("method"), Calendar.from_ical(part.get_content())))
    return found


def the_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def no_floating_times(calendar: Calendar) -> None:
    """Outlook needs a zone on every time: here only DTSTAMP is a time, in UTC."""
    for component in calendar.walk():
        for name, value in component.property_items(recursive=False):
            moment = getattr(value, "dt", None)
            if isinstance(moment, datetime):
                assert moment.tzinfo is not None, name
                assert moment.utcoffset() == timedelta(0) or value.params.get("TZID") == "Europe/Copenhagen", name


def test_notices_change_and_early_closing_reach_the_calendar(running):
    base, mailbox, auth = running["base"], running["mailbox"], running["auth"]
    status, body = call("POST", base + "/api/broadcasts", HEARING, auth)
    assert status == 201
    mailbox.wait_for(5)
    method, calendar = events_to(mailbox, "jt@viborg.dk")[0]
    event = the_event(calendar)
    assert method == "PUBLISH" and calendar["METHOD"] == "PUBLISH"
    assert event["DTSTART"].dt == date(2026, 12, 15) and not isinstance(event["DTSTART"].dt, datetime)
    assert event["DTEND"].dt == date(2026, 12, 16)
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:kkr-bot@rkkp.dk"
    assert str(event["SUMMARY"]) == "Høringsfrist: DHRD – Høring over kommunale indikatorer"
    assert event["X-MICROSOFT-CDO-ALLDAYEVENT"] == "TRUE" and event["TRANSP"] == "TRANSPARENT"
    assert event["DTSTAMP"].dt.tzinfo is not None
    no_floating_times(calendar)
    jonas_uid = str(event["UID"])
    # One UID per hearing and person: the KL contact standing in for two regions has one event.
    kl = {str(the_event(c)["UID"]) for _, c in events_to(mailbox, "lht@kl.dk")}
    assert len(kl) == 1 and jonas_uid not in kl

    status, _ = call("POST", f"{base}/api/broadcasts/{body['id']}/forward", {"region": "Midtjylland"}, auth)
    assert status == 200
    mailbox.wait_for(6)
    bo = the_event(events_to(mailbox, "bo@viborg.dk")[0][1])
    assert bo["DTSTART"].dt == date(2026, 12, 8)  # the municipalities' own deadline, 5 working days earlier
    assert str(bo["SUMMARY"]).startswith("Kommunens frist for høringssvar: DHRD")
    bo_uid = str(bo["UID"])

    status, changed = call("POST", f"{base}/api/hearings/{body['id']}/deadline", {"deadline": "2026-12-22"}, auth)
    assert status == 200 and changed["queued"] == 5 and changed["deadline_revision"] == 1
    assert changed["municipal_deadline"] == "2026-12-15"
    mailbox.wait_for(11)
    method, calendar = events_to(mailbox, "jt@viborg.dk")[-1]
    event = the_event(calendar)
    assert method == "PUBLISH" and str(event["UID"]) == jonas_uid and event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == date(2026, 12, 22)
    bo = the_event(events_to(mailbox, "bo@viborg.dk")[-1][1])
    assert (str(bo["UID"]), bo["SEQUENCE"], bo["DTSTART"].dt) == (bo_uid, 1, date(2026, 12, 15))
    assert len(events_to(mailbox, "lht@kl.dk")) == 3  # two notices, one change: each person once

    status, _ = call("POST", f"{base}/api/hearings/{body['id']}/close", {"message": "Endelige indikatorer."}, auth)
    assert status == 200
    mailbox.wait_for(16)
    method, calendar = events_to(mailbox, "jt@viborg.dk")[-1]
    event = the_event(calendar)
    assert method == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (jonas_uid, 2, "CANCELLED")
    assert str(event["ATTENDEE"]) == "mailto:jt@viborg.dk"
    assert str(the_event(events_to(mailbox, "bo@viborg.dk")[-1][1])["UID"]) == bo_uid


def test_a_deadline_change_is_checked_audited_and_idempotent(running, store):
    base, auth = running["base"], running["auth"]
    _, body = call("POST", base + "/api/broadcasts", HEARING, auth)
    running["mailbox"].wait_for(5)
    url = f"{base}/api/hearings/{body['id']}/deadline"
    for bad in ({"deadline": "2026-13-01"}, {"deadline": "2020-01-01"}, {"deadline": 5}, {},
                {"deadline": "2026-12-20", "municipal_deadline": "2026-12-21"}):
        status, error = call("POST", url, bad, auth)
        assert status == 422 and error["field"] in ("deadline", "municipal_deadline"), bad
    reader, _ = create_token(store, "reader", "Rita Reader", NOW)
    assert call("POST", url, {"deadline": "2026-12-20"}, {"Authorization": f"Bearer {reader}"})[0] == 403
    assert call("GET", f"{base}/api/broadcasts/{body['id']}", headers=auth)[1]["deadline"] == "2026-12-15"

    status, changed = call("POST", url, {"deadline": "2026-12-20", "municipal_deadline": "2026-12-10"}, auth)
    assert status == 200 and changed["queued"] == 4
    entry = [e for e in store.audit.entries() if e["action"] == "change_deadline"]
    assert [(e["actor"], e["target"], e["old"]["deadline"], e["new"]["municipal_deadline"]) for e in entry] == [
        ("Anne Nakano", f"broadcast:{body['id']}", "2026-12-15", "2026-12-10")]
    again = call("POST", url, {"deadline": "2026-12-20", "municipal_deadline": "2026-12-10"}, auth)[1]
    assert again["queued"] == 0 and again["deadline_revision"] == 1
    listed = next(b for b in call("GET", f"{base}/api/broadcasts", headers=auth)[1] if b["id"] == body["id"])
    assert (listed["deadline"], listed["municipal_deadline"]) == ("2026-12-20", "2026-12-10")


def test_the_consultants_calendar_of_a_hearing(running, store):
    base, auth = running["base"], running["auth"]
    _, body = call("POST", base + "/api/broadcasts", HEARING, auth)
    calendar_url = f"{base}/api/hearings/{body['id']}/calendar.ics"
    status, text = call("GET", calendar_url, headers=auth)
    assert status == 200
    calendar = Calendar.from_ical(text)
    assert calendar["METHOD"] == "PUBLISH"
    found = {str(e["UID"]): e["DTSTART"].dt for e in calendar.walk("VEVENT")}
    assert found == {f"kkrbot-hearing-{body['id']}-deadline@kkr-bot": date(2026, 12, 15),
                     f"kkrbot-hearing-{body['id']}-municipal-deadline@kkr-bot": date(2026, 12, 8)}
    reader, _ = create_token(store, "reader", "Rita Reader", NOW)
    assert call("GET", calendar_url, headers={"Authorization": f"Bearer {reader}"})[0] == 403
    assert call("GET", f"{base}/api/hearings/999/calendar.ics", headers=auth)[0] == 404

    call("POST", f"{base}/api/hearings/{body['id']}/close", {"message": "Slut."}, auth)
    calendar = Calendar.from_ical(call("GET", calendar_url, headers=auth)[1])
    assert calendar["METHOD"] == "CANCEL"
    assert {e["STATUS"] for e in calendar.walk("VEVENT")} == {"CANCELLED"}
    assert all(e["SEQUENCE"] == 1 and e["DTSTAMP"].dt.utcoffset() == timedelta(0) for e in calendar.walk("VEVENT"))


def test_a_slack_dm_links_the_recipients_own_event(store, db_path, app):
    from bot.slack import web_client
    from bot.web import build_dispatcher
    from handlers.broadcasts import create_broadcast
    from tests.support.factories import KKR_ON_SLACK
    from tests.support.slack_fake import fake_slack

    with fake_slack() as fake:
        for user, address in KKR_ON_SLACK.items():
            fake.add_user(user, address)
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret="s",
                            slack_api_url=fake.url + "/api/", public_url="https://kkr.rkkp.dk")
        dispatcher = build_dispatcher(store, settings, Clock(NOW), web_client(settings))
        create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
        create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt"}, by="Anne Nakano", now=NOW)
        assert dispatcher.run_once() == 10
        posts = fake.of("chat.postMessage")
    to_jonas = [p for p in posts if p["channel"] == "UJONAS"]
    links = [element["text"] for post in to_jonas for block in _json_blocks(post) if block["type"] == "context"
             for element in block["elements"]]
    assert len(to_jonas) == 2 and len(links) == 1  # the hearing's notice, not the info
    assert "Læg fristen i din kalender" in links[0]
    path = links[0].split("<https://kkr.rkkp.dk", 1)[1].split("|", 1)[0]
    assert path.startswith("/ack/") and path.endswith("/calendar.ics")

    client = app.test_client()
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = the_event(Calendar.from_ical(response.get_data()))
    assert event["DTSTART"].dt == date(2026, 12, 15)
    assert str(event["UID"]).startswith("kkrbot-hearing-1-")
    assert client.get(path.replace("/ack/", "/ack/x")).status_code == 404


def _json_blocks(post: dict) -> list[dict]:
    import json

    blocks = post.get("blocks")
    return json.loads(blocks) if isinstance(blocks, str) else blocks or []


def test_a_reminder_carries_the_same_event(store, db_path):
    import email
    from email import policy

    from bot import scheduler
    from bot.web import build_dispatcher
    from handlers.broadcasts import create_broadcast, part_of

    clock = Clock(NOW)
    dispatcher = build_dispatcher(store, Settings(db_path=str(db_path)), clock)
    status, _ = create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    clock.now = NOW + timedelta(days=2, minutes=1)  # two working days unacknowledged
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    with store.read(part_of(status["id"])) as view:
        to_jonas = [d for d in view.all("deliveries") if d["recipient"]["email"] == "jt@viborg.dk"]
    assert [d["purpose"] for d in to_jonas] == ["notice", "reminder"]
    uids = []
    for delivery in to_jonas:
        path = db_path.parent / "outbox" / f"broadcast-{status['id']}-delivery-{delivery['id']}.eml"
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
        event = the_event(Calendar.from_ical(part.get_content()))
        assert event["DTSTART"].dt == date(2026, 12, 15) and event["SEQUENCE"] == 0
        uids.append(str(event["UID"]))
    assert uids[0] == uids[1]
