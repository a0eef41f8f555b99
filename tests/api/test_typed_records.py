"""The typed records (``handlers.records``) read every document the code
writes and give it back unchanged, so a store written before them reads as
it did, and keep what they do not know."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import scheduler
from handlers.digest_schedule import parse_schedule
from handlers.directory_admin import set_municipality_contact
from handlers.enums import Purpose, ReplyKind, Tier
from handlers.records import AppointmentRequest, Broadcast, Delivery, HearingReply
from tests.api.test_lifecycles import HEARING, INFO, at, links, world_of
from tests.conftest import NOW

CPH = ZoneInfo("Europe/Copenhagen")
REQUEST = {"disease_area": "Hjerterehabilitering", "representatives": 1, "competencies": "Kendskab til data",
           "justification": "Kun én region har et forløb endnu."}
# Which record each table of a broadcast's or request's part (and of their indexes) holds.
TABLES = {"broadcasts": Broadcast, "broadcast": Broadcast, "deliveries": Delivery, "replies": HearingReply,
          "appointments": AppointmentRequest, "request": AppointmentRequest}


def _busy_store(world) -> None:
    """Every kind of record the product writes: broadcasts of each kind,
    forwarded, its deadline moved, acknowledged, replied to (and revised),
    reminded, digested, summarised and closed; an appointment request forwarded and completed, with its welcome."""
    client, store = world["client"], world["store"]
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    info = client.post("/api/broadcasts", json=INFO).json
    client.post("/api/broadcasts", json={**INFO, "kind": "annual_report", "title": "Årsrapport"})
    hearing = client.post("/api/broadcasts", json=HEARING).json
    world["dispatcher"].drain()
    assert client.post(f"/api/broadcasts/{hearing['id']}/forward", json={"region": "Midtjylland"}).status_code == 200
    world["dispatcher"].drain()
    moved = client.post(f"/api/hearings/{hearing['id']}/deadline", json={"deadline": "2026-12-14"})
    assert moved.status_code == 200                        # a change of deadline to everyone reached
    world["dispatcher"].drain()
    for path in list(links(world, info["id"]).values())[:2]:
        assert client.post(path).status_code == 200
    replies = f"/api/hearings/{hearing['id']}/replies"
    assert client.post(replies, json={"region": "1082", "municipality": "Viborg", "text": "Enige"}).status_code == 201
    assert client.post(replies, json={"region": "1081", "text": "Nord: enige"}).status_code == 201
    assert client.post(replies, json={"region": "1081", "text": "Nord: enige, revideret"}).status_code == 201
    request = client.post("/api/databases/DHRD/appointments", json=REQUEST)
    assert request.status_code == 201
    assert client.post(f"/api/appointments/{request.json['id']}/forwarded").status_code == 200
    assert client.post(f"/api/appointments/{request.json['id']}/appointees",
                       json={"name": "Nina Nord", "email": "nn@aalborg.dk", "region": "Nordjylland"}).status_code == 201
    at(world, datetime(2026, 11, 26, 9, 0, tzinfo=CPH))   # reminders of what is not acknowledged
    world["clock"].now = datetime(2026, 11, 30, 9, 0, tzinfo=CPH)  # a Monday: the week's digest
    scheduler.tick(store, world["dispatcher"], world["clock"], "Europe/Copenhagen", parse_schedule("mon 08:30"))
    at(world, datetime(2026, 12, 16, 0, 0, tzinfo=CPH))   # the hearing's deadline: summaries
    closed = client.post(f"/api/hearings/{hearing['id']}/close", json={"message": "De endelige indikatorer"})
    assert closed.status_code == 200                       # its closing messages stay queued


def _stored_docs(store):
    """(part, table, document) of every stored broadcast, request, delivery and reply."""
    for path in sorted(store.file_of("broadcasts").parent.glob("kkrbot.*.json")):
        part = store.part_of_file(path.name)
        if part is None or not part.startswith(("broadcast", "appointment", "digest")):  # not the index of due times
            continue
        with store.read(part) as view:
            for table in view.tables():
                for doc in view.all(table) if table in TABLES else []:
                    yield part, table, doc


def test_every_record_the_code_writes_reads_back_as_the_same_document(store, db_path):
    world = world_of(store, db_path)
    _busy_store(world)
    seen = {}
    for part, table, doc in _stored_docs(store):
        record = TABLES[table].from_doc(doc)
        assert record.to_doc() == doc, (part, table, doc["id"])
        assert list(record.to_doc()) == list(doc), (part, table, doc["id"])  # written back in the same order
        seen.setdefault(type(record), []).append(record)
    assert {Broadcast, Delivery, HearingReply, AppointmentRequest} <= set(seen)
    # Every purpose and tier of a delivery, both kinds of reply, a revision, were among them.
    assert {d.purpose for d in seen[Delivery]} == set(Purpose)
    assert {d.tier for d in seen[Delivery]} == set(Tier)
    assert {r.kind for r in seen[HearingReply]} == set(ReplyKind)
    assert any(r.history for r in seen[HearingReply])


def test_a_field_this_version_does_not_know_survives_reading_and_writing(store, db_path):
    world = world_of(store, db_path)
    created = world["client"].post("/api/broadcasts", json=INFO).json
    with store.write(f"broadcast-{created['id']}") as tx:
        tx.update("deliveries", 1, {"priority": "high", "recipient": {**tx.get("deliveries", 1)["recipient"],
                                                                      "teams_id": "29:1a"}})
    world["dispatcher"].drain()   # the lifecycle reads and rewrites the delivery as it sends it
    with store.read(f"broadcast-{created['id']}") as view:
        doc = view.get("deliveries", 1)
    assert doc["state"] == "sent" and doc["priority"] == "high" and doc["recipient"]["teams_id"] == "29:1a"
    assert Delivery.from_doc(doc).to_doc() == doc
    assert world["client"].get(f"/api/broadcasts/{created['id']}").json["regions"][0]["recipient"]["teams_id"] == \
        "29:1a"
