"""``python -m bot directory forget EMAIL`` as an administrator runs it,
after the person has been put everywhere the product can put them through
the API, the e-mailed pages and the CLI: afterwards no file of the store or
the outbox holds their name, e-mail or phone number, and the history is
still whole, told with the pseudonym."""

import json
import re
from email import policy
from email.parser import BytesParser

import pytest

from api.config import Settings
from bot.web import create_web_app
from data import Store
from handlers.erasure import pseudonym, scrubber_for
from tests.bot.test_shell_and_cli import run_bot
from tests.conftest import NOW

JONAS = {"name": "Jonas Thor Björnson", "email": "jt@viborg.dk", "phone": "86 12 34 56"}
HIS_TRACES = ("Jonas Thor Björnson", "jt@viborg.dk", "+45 86 12 34 56", "86 12 34 56", "86123456")
ANNES_TRACES = ("Anne Nakano", "anne@rkkp.dk")
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Indikatorer", "deadline": "2026-12-15"}


def eml_text(path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    return "\n".join([*(str(value) for value in message.values()), message.get_body(("plain",)).get_content()])


def link_to(outbox, email: str, broadcast_id: int) -> str:
    for path in sorted(outbox.glob(f"broadcast-{broadcast_id}-delivery-*.eml")):
        text = eml_text(path)
        if email in text and "/ack/" in text:
            return re.search(r"http://\S+(/ack/\S+)", text).group(1)
    raise AssertionError(f"no link to {email}")


def traces(folder, secrets) -> list[tuple[str, str]]:
    """(file, secret) for every secret found in any file under ``folder``:
    as UTF-8 or JSON-escaped bytes, any case, and in e-mails also decoded."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        texts = [path.read_bytes().decode("utf-8", "replace").casefold()]
        if path.suffix == ".eml":
            texts.append(eml_text(path).casefold())
        for secret in secrets:
            forms = {secret.casefold(), json.dumps(secret)[1:-1].casefold()}
            found += [(path.name, secret) for form in forms if any(form in text for text in texts)]
    return found


@pytest.fixture
def world(tmp_path):
    """Jonas: KKR contact with a phone, API reader, recipient who acknowledges,
    forwards and replies, named in a municipality's reply and in the closing
    message, steering-group appointee.  Anne: a directory consultant who
    broadcasts and appoints with a token in her name."""
    db_path = tmp_path / "var" / "kkrbot.json"
    token = {role: run_bot(db_path, "token", "create", "--role", role, "--name", name).stdout.strip()
             for role, name in (("admin", "Ada Admin"), ("consultant", "Anne Nakano"),
                                ("reader", "Jonas Thor Björnson"))}
    consultants = tmp_path / "consultants.csv"
    consultants.write_text("role,place,name,email\nconsultant,,Anne Nakano,anne@rkkp.dk\n", encoding="utf-8")
    assert run_bot(db_path, "directory", "import", str(consultants)).returncode == 0
    app = create_web_app(Settings(db_path=str(db_path)), store=Store(db_path), clock=lambda: NOW, dispatch=False)
    api, send, outbox = app.test_client(), app.config["DISPATCHER"].drain, db_path.parent / "outbox"
    as_ = {role: {"Authorization": f"Bearer {value}"} for role, value in token.items()}
    assert api.put("/api/regions/Midtjylland/contact", json=JONAS, headers=as_["admin"]).status_code == 200
    api.put("/api/municipalities/Viborg/contact", json={"name": "Bo Ek", "email": "bo@viborg.dk"}, headers=as_["admin"])
    assert api.get("/api/regions/Viborg/contact", headers=as_["reader"]).status_code == 200
    hearing = api.post("/api/broadcasts", json=HEARING, headers=as_["consultant"]).json["id"]
    send()
    his_link = link_to(outbox, "jt@viborg.dk", hearing)
    assert api.post(his_link).status_code == 200 and api.post(his_link + "/forward").status_code == 200
    send()
    api.post(link_to(outbox, "bo@viborg.dk", hearing) + "/reply",
             data={"text": "Viborg: enig. Spørg JONAS THOR BJÖRNSON (Jt@Viborg.dk, tlf. 86123456)."})
    api.post(his_link + "/reply", data={"text": "Midtjylland: enig."})
    appointment = api.post("/api/databases/DHRD/appointments", json={"disease_area": "Hjerte", "representatives": 2,
                                                                  "justification": "To er nok."},
                           headers=as_["consultant"]).json["id"]
    for person in ({**JONAS, "phone": "86123456", "region": "Midtjylland"},
                   {"name": "Nina Nord", "email": "nn@aalborg.dk", "region": "Nordjylland"}):
        assert api.post(f"/api/appointments/{appointment}/appointees", json=person,
                        headers=as_["consultant"]).status_code == 201
    send()
    api.post(f"/api/hearings/{hearing}/close", json={"message": "Tak til Jonas Thor Björnson."},
             headers=as_["consultant"])
    send()
    assert api.get(f"/api/hearings/{hearing}/report", headers=as_["admin"]).status_code == 200
    assert {secret for _, secret in traces(db_path.parent, HIS_TRACES + ANNES_TRACES)} == {*HIS_TRACES, *ANNES_TRACES}
    return {"db": db_path, "api": api, "admin": as_["admin"], "hearing": hearing, "appointment": appointment}


def test_forgetting_a_kkr_contact_leaves_no_trace_and_the_history_whole(world):
    done = run_bot(world["db"], "directory", "forget", "JT@Viborg.dk")
    assert done.returncode == 0, done.stderr
    alias = pseudonym("jt@viborg.dk")
    assert traces(world["db"].parent, HIS_TRACES) == []
    assert traces(world["db"].parent, [alias])
    api, admin = world["api"], world["admin"]
    row = next(r for r in api.get(f"/api/broadcasts/{world['hearing']}", headers=admin).json["regions"]
               if r["region"]["code"] == "1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == alias and row["recipient"]["name"] == alias
    assert row["forwarded_at"] and row["municipalities"]["reached"] == 1
    report = api.get(f"/api/hearings/{world['hearing']}/report", headers=admin).json
    mid = next(r for r in report["regions"] if r["region"]["code"] == "1082")
    assert mid["reply"]["by"] == alias and mid["municipal_replies"][0]["by"] == "Bo Ek"
    assert mid["municipal_replies"][0]["text"] == f"Viborg: enig. Spørg {alias} ({alias}, tlf. {alias})."
    roster = api.get("/api/databases/DHRD/steering-group", headers=admin).json
    assert [m["name"] for m in roster["representatives"]] == ["Nina Nord"]
    appointees = api.get(f"/api/appointments/{world['appointment']}", headers=admin).json["appointees"]
    assert [(a["name"], a["email"], a["phone"]) for a in appointees] == [(alias, alias, None),
                                                                        ("Nina Nord", "nn@aalborg.dk", None)]
    outbox = world["db"].parent / "outbox"
    assert (outbox / "broadcast-1-delivery-5.eml").exists()  # Mia's notice is hers, and stays
    assert not (outbox / "broadcast-1-delivery-2.eml").exists()
    assert re.search(r"1 kontakt fjernet.* og \d+ e-mails i udbakken slettet\.", done.stdout)
    assert run_bot(world["db"], "directory", "forget", "jt@viborg.dk").returncode == 1


def test_forgetting_the_consultant_who_broadcast(world):
    done = run_bot(world["db"], "directory", "forget", "anne@rkkp.dk")
    assert done.returncode == 0, done.stderr
    alias = pseudonym("anne@rkkp.dk")
    assert traces(world["db"].parent, ANNES_TRACES) == []
    found = world["api"].get(f"/api/broadcasts/{world['hearing']}", headers=world["admin"]).json
    assert found["created_by"] == alias and found["creator"]["name"] == alias
    assert any(e["actor"] == alias and e["action"] == "broadcast" for e in Store(world["db"]).audit.entries())


def test_every_store_part_has_a_scrubber_and_an_unknown_one_stops_erasure(world):
    store = Store(world["db"])
    parts = {store.part_of_file(p.name) for p in world["db"].parent.iterdir()} - {None}
    assert {"directory", "auth", "broadcasts", "broadcast-1", "appointments", "appointment-1", "due",
            "databases"} <= parts
    assert all(scrubber_for(part) for part in parts)
    stray = world["db"].with_name("kkrbot.notes.json")
    stray.write_text('{"notes": {"1": {"text": "jt@viborg.dk"}}}', encoding="utf-8")
    store.audit.move_journals()  # the reads the API journalled, which any reader of the trail moves into it
    before = {p.name: p.read_bytes() for p in world["db"].parent.iterdir() if p.is_file()}
    done = run_bot(world["db"], "directory", "forget", "jt@viborg.dk")
    assert done.returncode == 1 and "notes" in done.stderr
    assert {p.name: p.read_bytes() for p in world["db"].parent.iterdir() if p.is_file()} == before
