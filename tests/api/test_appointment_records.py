"""Appointment requests are their own records, not broadcasts: their own
ids from 1, their own list, links, outbox files and not-found message; a
store written before that is migrated on start, links sent then still work,
and a start killed half way through is completed by the next."""

import email
import re
import shutil
from email import policy
from pathlib import Path

import pytest

from api.config import Settings
from bot.web import create_web_app
from data import Store
from handlers import ack_tokens
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.servers import Clock

BEFORE = Path(__file__).resolve().parents[1] / "support" / "store_before_appointments"
INFO = {"kind": "info", "database": "DHRD", "title": "Årsrapporten er udkommet"}
REQUEST = {"disease_area": "Hjerterehabilitering", "representatives": 1, "chair": False,
           "justification": "Kun én region har et hjerterehabiliteringsforløb endnu."}


def started(db_path, store=None, who="Anne Nakano"):
    """The web app started over the store (which migrates it), and a consultant's client."""
    app = create_web_app(Settings(db_path=str(db_path)), store=store or Store(db_path), clock=Clock(NOW),
                         dispatch=False)
    store = app.config["STORE"]
    token, _ = create_token(store, "consultant", who, NOW)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return {"client": client, "store": store, "dispatcher": app.config["DISPATCHER"],
            "outbox": db_path.parent / "outbox"}


def ack_path(outbox: Path, name: str) -> str:
    message = email.message_from_bytes((outbox / name).read_bytes(), policy=policy.default)
    return re.search(r"https?://\S+?(/ack/\S+)", message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture
def world(store, db_path):
    return started(db_path, store)


def test_appointment_requests_have_their_own_ids_list_links_and_files(world):
    client = world["client"]
    first = client.post("/api/broadcasts", json=INFO).json
    request = client.post("/api/databases/DHRD/appointments", json=REQUEST)
    second = client.post("/api/broadcasts", json={**INFO, "title": "Endnu en"}).json
    assert request.status_code == 201 and (first["id"], request.json["id"], second["id"]) == (1, 1, 2)
    assert request.json["state"] == "open"

    assert [(b["id"], b["kind"]) for b in client.get("/api/broadcasts").json] == [(2, "info"), (1, "info")]
    assert [r["id"] for r in client.get("/api/appointments").json] == [1]
    assert client.get("/api/broadcasts/1").json["title"] == "Årsrapporten er udkommet"
    missing = client.get("/api/appointments/2")
    assert missing.status_code == 404 and missing.json["error"] == "Der findes ingen udpegning #2."

    assert world["dispatcher"].drain() == 11
    files = sorted(p.name for p in world["outbox"].glob("*.eml"))
    assert "appointment-1-delivery-1.eml" in files and "broadcast-1-delivery-1.eml" in files
    assert len(files) == 11
    to_kl = ack_path(world["outbox"], "appointment-1-delivery-1.eml")
    assert to_kl.startswith("/ack/a1-1-")
    page = client.get(to_kl)
    assert page.status_code == 200 and "Hjerterehabilitering" in page.get_data(as_text=True)
    assert client.post(to_kl).status_code == 200
    assert client.get("/api/appointments/1").json["sent_to_kl"]["state"] == "acknowledged"
    assert client.get("/api/broadcasts/1").json["regions"][0]["state"] == "sent"  # delivery 1 of broadcast 1: untouched
    # An appointment request's link is no hearing's and forwards nothing.
    assert client.post(to_kl + "/forward").status_code == 403
    assert client.post(to_kl + "/reply", data={"text": "svar"}).status_code == 403

    forwarded = client.post("/api/appointments/1/forwarded").json
    assert forwarded["state"] == "forwarded"
    complete = client.post("/api/appointments/1/appointees",
                           json={"name": "Nina Nord", "email": "nn@aalborg.dk", "region": "Nordjylland"})
    assert complete.status_code == 201 and complete.json["state"] == "complete"
    assert client.get("/api/appointments").json == []
    assert world["dispatcher"].drain() == 1
    assert (world["outbox"] / "appointment-1-delivery-2.eml").exists()


def test_a_store_from_before_is_migrated_on_start_and_its_links_still_work(tmp_path):
    folder = tmp_path / "var"
    shutil.copytree(BEFORE, folder)
    secret = ack_tokens.server_secret(Store(folder / "kkrbot.json"))
    world = started(folder / "kkrbot.json")
    client = world["client"]

    assert [b["id"] for b in client.get("/api/broadcasts").json] == [4, 3, 1]
    assert client.get("/api/broadcasts/2").status_code == 404
    moved = client.get("/api/appointments/2").json
    assert moved["state"] == "forwarded" and [a["name"] for a in moved["appointees"]] == ["Nina Nord"]
    assert [r["id"] for r in client.get("/api/appointments").json] == [2]
    assert not (folder / "kkrbot.broadcast-2.json").exists() and (folder / "kkrbot.appointment-2.json").exists()

    # The link e-mailed to KL before the move still acknowledges the request.
    old_link = "/ack/" + ack_tokens.make(secret, 2, 1)
    assert "Hjerterehabilitering" in client.get(old_link).get_data(as_text=True)
    assert client.post(old_link).status_code == 200
    assert client.get("/api/appointments/2").json["sent_to_kl"]["state"] == "acknowledged"

    # What was queued before is sent: the welcome to Nina and broadcast 4's notices.
    assert world["dispatcher"].drain() == 6
    assert (world["outbox"] / "appointment-2-delivery-2.eml").exists()
    assert len(list(world["outbox"].glob("broadcast-4-delivery-*.eml"))) == 5
    assert client.get("/api/broadcasts/1").json["state"] == "open" and client.get(
        "/api/broadcasts/3").json["hearing_state"] == "open"

    # New records are numbered after the old ones, each in its own series.
    assert client.post("/api/databases/DHRD/appointments", json=REQUEST).json["id"] == 3
    assert client.post("/api/broadcasts", json=INFO).json["id"] == 5


def test_a_second_start_changes_nothing_and_a_killed_one_is_completed(tmp_path):
    clean = tmp_path / "clean"
    shutil.copytree(BEFORE, clean)
    started(clean / "kkrbot.json")
    migrated = contents(clean)
    started(clean / "kkrbot.json", who="Anne again")
    assert contents(clean) == migrated

    # Killed after the request was copied, before the old entry was marked moved and its part deleted.
    killed = tmp_path / "killed"
    shutil.copytree(BEFORE, killed)
    for name in ("kkrbot.appointments.json", "kkrbot.appointment-2.json"):
        shutil.copy(clean / name, killed / name)
    world = started(killed / "kkrbot.json")
    assert {k: v for k, v in contents(killed).items() if k != "kkrbot.auth.json"} == {
        k: v for k, v in migrated.items() if k != "kkrbot.auth.json"}
    assert [r["id"] for r in world["client"].get("/api/appointments").json] == [2]


def contents(folder: Path) -> dict:
    """The record files (not the directory, tokens or due index, which each start touches)."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("kkrbot.*.json"))
            if re.match(r"kkrbot\.(broadcast|appointment)", p.name)}
