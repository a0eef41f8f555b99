"""Municipalities are reminded before their own, earlier deadline; the KKR
contact before RKKP's; a municipality that replied is not asked to
acknowledge.  Driven through the scheduler with a test clock, the messages
read from the outbox."""

import email
from datetime import datetime
from email import policy
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from bot import scheduler
from bot.web import build_dispatcher
from handlers import broadcasts, forwarding, hearings
from handlers.directory_csv import import_csv
from tests.support.servers import Clock

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=CPH)
# Five working days before 29 December, Christmas skipped: Friday 18 December.
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-29"}
CONTACTS = """role,place,name,email
consultant,,Anne Nakano,anne@rkkp.dk
municipal,Viborg,Bo Ek,bo@viborg.dk
municipal,Skive,Sif Dahl,sif@skive.dk
municipal,Herning,Hans Bro,hb@herning.dk
"""


@pytest.fixture
def world(store, db_path):
    import_csv(store, CONTACTS, MONDAY)
    clock = Clock(MONDAY)
    dispatcher = build_dispatcher(store, Settings(db_path=str(db_path)), clock)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=MONDAY)
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    forwarding.forward(store, status["id"], "1082", MONDAY, by="Anne Nakano")
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    return {"store": store, "clock": clock, "dispatcher": dispatcher, "id": status["id"],
            "outbox": db_path.parent / "outbox"}


def at(world, moment):
    world["clock"].now = moment
    return scheduler.tick(world["store"], world["dispatcher"], world["clock"], "Europe/Copenhagen")


def reminders(world):
    with world["store"].read(broadcasts.part_of(world["id"])) as view:
        return [d for d in view.all("deliveries") if d["purpose"] == "reminder"]


def text_of(world, delivery):
    path = world["outbox"] / f"broadcast-{world['id']}-delivery-{delivery['id']}.eml"
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return " ".join(message.get_body(("plain",)).get_content().split())


def notice_of(world, municipality):
    with world["store"].read(broadcasts.part_of(world["id"])) as view:
        return view.find("deliveries", tier=2, municipality=municipality, purpose="notice")[0]["id"]


def test_municipalities_are_reminded_before_their_own_deadline(world):
    store, hid = world["store"], world["id"]
    assert broadcasts.status(store, hid)["municipal_deadline"] == "2026-12-18"
    hearings.reply_by_delivery(store, hid, notice_of(world, "0791"), "Viborg: enig.",
                               datetime(2026, 11, 24, 10, 0, tzinfo=CPH))
    hearings.reply_for(store, hid, "1082", "Skive: enig.", datetime(2026, 11, 24, 11, 0, tzinfo=CPH),
                       by="Anne Nakano", municipality="Skive")

    # Two working days on: the five KKR notices (Jonas's too: a consultant forwarded it) and
    # Herning; Viborg and Skive replied, so they are not asked to acknowledge.
    assert at(world, datetime(2026, 11, 25, 9, 0, tzinfo=CPH)) == 6
    assert sorted(r["municipality"] or r["region"] for r in reminders(world)) == [
        "0657", "1081", "1082", "1083", "1084", "1085"]

    assert at(world, datetime(2026, 12, 14, 12, 0, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 12, 15, 9, 0, tzinfo=CPH)) == 1   # 3 working days before 18 December
    herning = reminders(world)[-1]
    assert herning["recipient"]["email"] == "hb@herning.dk"
    text = text_of(world, herning)
    assert "Påmindelse: Herning har endnu ikke afgivet høringssvar på »Kommunale indikatorer«." in text
    assert "Kommunens frist er 18. december 2026" in text
    assert at(world, datetime(2026, 12, 16, 9, 0, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 12, 17, 9, 0, tzinfo=CPH)) == 1   # 1 working day before
    assert reminders(world)[-1]["recipient"]["email"] == "hb@herning.dk"
    assert at(world, datetime(2026, 12, 19, 9, 0, tzinfo=CPH)) == 0   # after their deadline: the KKR's turn

    assert at(world, datetime(2026, 12, 22, 9, 0, tzinfo=CPH)) == 5   # the KKR contacts, before RKKP's deadline
    kkr = reminders(world)[-5:]
    assert {r["tier"] for r in kkr} == {1} and "Høringsfristen er 29. december 2026" in text_of(world, kkr[0])
