"""Broadcasts and hearings end: the status a consultant reads says open while
anything is still due and done once everything is delivered and
acknowledged, reminded or given up; a hearing says open, then past its
deadline, then closed.  Driven over the API with the real dispatcher and
scheduler on a test clock, e-mail written to the outbox."""

import email
import re
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from bot import scheduler, shell
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.servers import Clock
from tests.support.smtp import free_port

CPH = ZoneInfo("Europe/Copenhagen")
INFO = {"kind": "info", "database": "DHRD", "title": "Årsrapporten er udkommet"}
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Høring over indikatorer", "deadline": "2026-12-15"}


def world_of(store, db_path, **settings):
    clock = Clock(NOW)
    app = create_web_app(Settings(db_path=str(db_path), **settings), store=store, clock=clock, dispatch=False)
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return {"app": app, "client": client, "clock": clock, "store": store, "outbox": db_path.parent / "outbox",
            "dispatcher": app.config["DISPATCHER"]}


@pytest.fixture
def world(store, db_path):
    return world_of(store, db_path)


def status(world, broadcast_id):
    return world["client"].get(f"/api/broadcasts/{broadcast_id}").json


def listed(world, broadcast_id):
    return next(b for b in world["client"].get("/api/broadcasts").json if b["id"] == broadcast_id)


def at(world, moment):
    """A scheduler pass at ``moment``: reminders queued, then everything due sent."""
    world["clock"].now = moment
    return scheduler.tick(world["store"], world["dispatcher"], world["clock"], "Europe/Copenhagen")


def links(world, broadcast_id):
    """The acknowledgement paths of the e-mails sent for the broadcast's notices, by file."""
    found = {}
    for path in sorted(world["outbox"].glob(f"broadcast-{broadcast_id}-delivery-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found[path.name] = re.search(r"https?://\S+?(/ack/\S+)", message.get_body(("plain",)).get_content()).group(1)
    return found


def test_a_broadcast_is_open_until_every_notice_is_acknowledged_then_done(world):
    created = world["client"].post("/api/broadcasts", json=INFO).json
    assert created["state"] == "open" and {r["state"] for r in created["regions"]} == {"queued"}
    assert world["dispatcher"].drain() == 5
    assert status(world, created["id"])["state"] == "open"  # sent, not yet acknowledged
    paths = links(world, created["id"])
    for path in list(paths.values())[:4]:
        assert world["client"].post(path).status_code == 200
    assert status(world, created["id"])["state"] == "open"
    assert world["client"].post(list(paths.values())[4]).status_code == 200
    done = status(world, created["id"])
    assert done["state"] == "done" and {r["state"] for r in done["regions"]} == {"acknowledged"}
    assert listed(world, created["id"])["state"] == "done"

    # Forwarding gives it work again.
    set_municipality_contact(world["store"], "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    forwarded = world["client"].post(f"/api/broadcasts/{created['id']}/forward", json={"region": "Midtjylland"})
    assert forwarded.status_code == 200 and forwarded.json["added"]
    assert status(world, created["id"])["state"] == "open" and listed(world, created["id"])["state"] == "open"


def test_a_broadcast_nobody_acknowledges_is_done_once_the_reminders_are_sent(world):
    created = world["client"].post("/api/broadcasts", json=INFO).json
    world["dispatcher"].drain()
    assert at(world, datetime(2026, 11, 25, 8, 59, tzinfo=CPH)) == 0
    assert status(world, created["id"])["state"] == "open"
    assert at(world, datetime(2026, 11, 25, 9, 0, tzinfo=CPH)) == 5   # 2 working days later: one reminder each
    assert status(world, created["id"])["state"] == "done"
    assert listed(world, created["id"])["state"] == "done"
    assert at(world, datetime(2026, 12, 9, 9, 0, tzinfo=CPH)) == 0


def test_a_broadcast_whose_mail_cannot_be_delivered_is_done_when_it_is_given_up(store, db_path):
    world = world_of(store, db_path, smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    created = world["client"].post("/api/broadcasts", json=INFO).json
    for _ in range(11):
        assert world["dispatcher"].drain() == 5
        assert status(world, created["id"])["state"] == "open"
        assert {r["state"] for r in status(world, created["id"])["regions"]} == {"failed"}
        world["clock"].advance(timedelta(hours=1))
    assert world["dispatcher"].drain() == 5  # the 12th and last try
    given_up = status(world, created["id"])
    assert {r["state"] for r in given_up["regions"]} == {"failed"}
    assert given_up["state"] == "done" and listed(world, created["id"])["state"] == "done"
    assert world["dispatcher"].drain() == 0


def test_a_hearing_is_open_then_past_its_deadline_then_closed(world):
    created = world["client"].post("/api/broadcasts", json=HEARING).json
    assert created["hearing_state"] == "open" and listed(world, created["id"])["hearing_state"] == "open"
    world["dispatcher"].drain()

    world["clock"].now = datetime(2026, 12, 15, 23, 59, tzinfo=CPH)
    assert status(world, created["id"])["hearing_state"] == "open"
    world["clock"].now = datetime(2026, 12, 16, 0, 0, tzinfo=CPH)
    assert status(world, created["id"])["hearing_state"] == "past_deadline"
    assert listed(world, created["id"])["hearing_state"] == "past_deadline"
    at(world, world["clock"].now)  # the summary to the consultant
    assert status(world, created["id"])["hearing_state"] == "past_deadline"

    closed = world["client"].post(f"/api/hearings/{created['id']}/close", json={"message": "De endelige indikatorer"})
    assert closed.status_code == 200
    after = status(world, created["id"])
    assert after["hearing_state"] == "closed" and after["state"] == "open"   # the closing messages are due
    assert listed(world, created["id"])["hearing_state"] == "closed"
    world["dispatcher"].drain()
    assert status(world, created["id"])["state"] == "done"
    assert world["client"].post(f"/api/hearings/{created['id']}/close", json={"message": "igen"}).status_code == 409


def test_an_idle_dispatcher_and_scheduler_read_only_what_has_work_due(world):
    """The parts of finished broadcasts are not read at all: made unreadable,
    an idle tick and a scheduler pass still run, and new work still goes out."""
    finished = []
    for n in range(3):
        created = world["client"].post("/api/broadcasts", json={**INFO, "title": f"Gammel {n}"}).json
        world["dispatcher"].drain()
        for path in links(world, created["id"]).values():
            assert world["client"].post(path).status_code == 200
        finished.append(created["id"])
    for broadcast_id in finished:
        world["store"].file_of(f"broadcast-{broadcast_id}").write_text("{ not JSON", encoding="utf-8")
    assert world["dispatcher"].run_once() == 0
    assert at(world, NOW) == 0
    assert at(world, NOW + timedelta(days=30)) == 0

    fresh = world["client"].post("/api/broadcasts", json={**INFO, "title": "Ny"}).json
    assert world["dispatcher"].drain() == 5
    assert {r["state"] for r in status(world, fresh["id"])["regions"]} == {"sent"}


def test_the_status_in_slack_and_the_shell_says_where_it_stands(world):
    created = world["client"].post("/api/broadcasts", json={**HEARING, "deadline": "2099-12-31"}).json
    lines = shell.answer(world["store"], f"/rkkp-status {created['id']}", "da").splitlines()
    assert "I gang: der er stadig beskeder eller påmindelser, der skal sendes. Høringen er åben." in lines
    world["dispatcher"].drain()
    world["client"].post(f"/api/hearings/{created['id']}/close", json={"message": "De endelige indikatorer"})
    world["dispatcher"].drain()
    lines = shell.answer(world["store"], f"/rkkp-status {created['id']}", "en").splitlines()
    assert "Finished: everything was sent and acknowledged, reminded or given up. The hearing is closed." in lines
