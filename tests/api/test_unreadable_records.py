"""A record stored with a state, kind or tier no version writes (a
hand-edited or half-migrated store) is a clear error on the API and in the
shell, naming the record, the field and the value, not a status that
quietly shows it wrong; and everything else goes on being sent."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import shell
from tests.api.test_lifecycles import INFO, at, world_of

CPH = ZoneInfo("Europe/Copenhagen")


def _misspell(store, broadcast_id: int, delivery_id: int, **fields) -> None:
    with store.write(f"broadcast-{broadcast_id}") as tx:
        tx.update("deliveries", delivery_id, fields)


def test_a_delivery_stored_with_an_unknown_state_is_a_clear_error_not_a_quietly_wrong_status(store, db_path):
    """A hand-edited or half-migrated store says »acknowleged«: main showed the
    region as neither reached nor acknowledged, with no word of why."""
    world = world_of(store, db_path)
    created = world["client"].post("/api/broadcasts", json=INFO).json
    world["dispatcher"].drain()
    _misspell(store, created["id"], 1, state="acknowleged")

    answer = world["client"].get(f"/api/broadcasts/{created['id']}")
    assert answer.status_code == 500
    assert answer.json == {"error": "Lageret indeholder en post, som kkr-bot ikke kan læse: delivery:1, feltet "
                                    "»state«, værdien 'acknowleged'. Lageret skal rettes; intet er ændret."}
    text = shell.answer(store, f"/rkkp-status {created['id']}", "en")
    assert "The store holds a record kkr-bot cannot read: delivery:1, field “state”, value 'acknowleged'." in text


def test_a_tier_stored_as_text_is_refused_by_name(store, db_path):
    world = world_of(store, db_path)
    created = world["client"].post("/api/broadcasts", json=INFO).json
    _misspell(store, created["id"], 2, tier="1")
    answer = world["client"].get(f"/api/broadcasts/{created['id']}")
    assert answer.status_code == 500 and "delivery:2, feltet »tier«, værdien '1'" in answer.json["error"]


def test_an_unreadable_record_does_not_stop_the_others_being_sent(store, db_path):
    world = world_of(store, db_path)
    broken = world["client"].post("/api/broadcasts", json=INFO).json
    _misspell(store, broken["id"], 3, purpose="reminderr")
    fine = world["client"].post("/api/broadcasts", json={**INFO, "title": "Nyt"}).json
    assert world["dispatcher"].drain() == 5
    sent = json.loads(store.file_of(f"broadcast-{fine['id']}").read_text(encoding="utf-8"))["deliveries"]
    assert {d["state"] for d in sent.values()} == {"sent"}
    assert world["client"].get(f"/api/broadcasts/{broken['id']}").status_code == 500


def test_an_unreadable_record_does_not_stop_the_others_being_reminded(store, db_path):
    world = world_of(store, db_path)
    broken = world["client"].post("/api/broadcasts", json=INFO).json
    fine = world["client"].post("/api/broadcasts", json={**INFO, "title": "Nyt"}).json
    assert world["dispatcher"].drain() == 10
    _misspell(store, broken["id"], 2, state="snet")
    assert at(world, datetime(2026, 11, 25, 9, 0, tzinfo=CPH)) == 5   # 2 working days later: fine's reminders
    reminded = json.loads(store.file_of(f"broadcast-{fine['id']}").read_text(encoding="utf-8"))["reminders"]
    assert len(reminded) == 5
