"""The weekly digest's contents and its once-a-week record, with an
injected now: who gets one (KKR contacts by default, consultants who opted
in, nobody with nothing open), what it lists, when it is due."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from handlers import ack_tokens, broadcasts, deliveries, digest, erasure, forwarding, hearings
from handlers.collections import DIGESTS
from handlers.digest_schedule import Schedule, parse_schedule
from handlers.directory_admin import set_municipality_contact
from handlers.errors import Invalid
from tests.conftest import NOW

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY_0830 = Schedule(0, time(8, 30))
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}
NEXT_MONDAY = datetime(2026, 11, 30, 8, 31, tzinfo=CPH)


@pytest.fixture
def hearing(store):
    """A hearing to the five regions, forwarded in Midtjylland to Viborg
    and Skive by a consultant; Viborg replied; Peter (Nordjylland)
    acknowledged; Mia (Syddanmark) sent the region's reply."""
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Skive", {"name": "Sif Dahl", "email": "sif@skive.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    secret, ids = ack_tokens.server_secret(store), {}

    def send():
        for item in deliveries.claim_due(store, NOW, secret):
            deliveries.record_sent(store, item, "email", {}, NOW)
            ids[item.municipality_name or item.region_name] = item.delivery_id

    send()
    forwarding.forward(store, status["id"], "1082", NOW, by="Anne Nakano")
    send()
    hearings.reply_by_delivery(store, status["id"], ids["Viborg"], "Enig.", NOW)
    deliveries.acknowledge(store, status["id"], ids["Region Nordjylland"], NOW)
    hearings.reply_by_delivery(store, status["id"], ids["Region Syddanmark"], "Regionens svar.", NOW)
    return status["id"]


def digests_of(queued):
    return {d["recipient"]["email"]: d["message"]["params"] for d in queued}


def test_each_kkr_contact_with_something_open_gets_what_waits_for_them(store, hearing):
    sent = digests_of(digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830))
    # Mia's region has replied and she has nothing else open: no digest for her.
    assert sorted(sent) == ["jt@viborg.dk", "php@aalborg.dk"]
    about = {"broadcast": hearing, "title": "Kommunale indikatorer", "database": "DHRD", "kind": "hearing"}
    jonas = sent["jt@viborg.dk"]
    assert jonas["acknowledge"] == [about]  # a consultant forwarded for him; his own notice is unacknowledged
    assert jonas["hearings"] == [{**about, "deadline": "2026-12-15"}]
    assert jonas["municipalities"] == [{**about, "municipal_deadline": "2026-12-08", "names": ["Skive"]}]
    assert jonas["changed"] == {"acknowledged": 1, "replies": 1, "forwarded": 1}
    peter = sent["php@aalborg.dk"]
    assert (peter["acknowledge"], peter["hearings"], peter["municipalities"]) == (
        [], [{**about, "deadline": "2026-12-15"}], [])


def test_a_consultant_gets_it_only_after_opting_in_and_a_kkr_contact_can_opt_out(store, hearing):
    digest.choose(store, "anne@rkkp.dk", True, NOW, by="cli")
    digest.choose(store, "Php@aalborg.dk", False, NOW, by="cli")
    from handlers.databases import edit_database
    edit_database(store, "DHRD", {"consultant": {"name": "Anne Nakano", "email": "anne@rkkp.dk"}}, NOW, by="cli")
    sent = digests_of(digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830))
    assert sorted(sent) == ["anne@rkkp.dk", "jt@viborg.dk"]
    waiting = sent["anne@rkkp.dk"]["waiting"]
    assert [(w["title"], w["deadline"]) for w in waiting] == [("Kommunale indikatorer", "2026-12-15")]
    assert waiting[0]["regions"] == ["Region Hovedstaden", "Region Midtjylland", "Region Nordjylland",
                                     "Region Sjælland"]
    entries = [e for e in store.audit.entries() if e["action"] in ("digest_on", "digest_off")]
    assert [(e["action"], e["target"]) for e in entries] == [("digest_on", "person:anne@rkkp.dk"),
                                                              ("digest_off", "person:php@aalborg.dk")]


def test_the_week_is_made_once_and_not_before_its_time(store, hearing):
    assert digest.queue_digest(store, NEXT_MONDAY.replace(minute=29), MONDAY_0830) == []
    first = digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830)
    assert len(first) == 2
    assert digest.queue_digest(store, NEXT_MONDAY.replace(hour=15), MONDAY_0830) == []  # a second pass, a restart
    with store.read(DIGESTS.part(202649)) as view:
        assert len(view.all("deliveries")) == 2 and view.get("digest", 1)["week"] == "2026-W49"
    assert digest.queue_digest(store, NEXT_MONDAY, None) == []


def test_nothing_open_no_digest(store):
    assert digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830) == []


def test_a_holiday_moves_the_digest_to_the_next_working_day_of_the_week():
    # Easter Monday 2027 (29 March) is a public holiday: Tuesday at 08:30.
    assert MONDAY_0830.moment(2027, 13, CPH) == datetime(2027, 3, 30, 8, 30, tzinfo=CPH)
    # Friday of Easter week 2027 is Good Friday and Thursday Maundy Thursday; week 12 has no later working day.
    assert Schedule(3, time(9, 0)).moment(2027, 12, CPH) is None


@pytest.mark.parametrize("text, expected", [
    ("mon 08:30", Schedule(0, time(8, 30))), ("Mandag 8.30", Schedule(0, time(8, 30))),
    ("fre 14:05", Schedule(4, time(14, 5))), ("", None)])
def test_the_setting_is_read(text, expected):
    assert Settings.from_env({"KKRBOT_DIGEST": text}).digest == expected
    assert parse_schedule(text) == expected


@pytest.mark.parametrize("text", ["sun 08:30", "mon", "mon 25:00", "every monday", "lørdag 9.00"])
def test_a_bad_setting_is_refused_with_its_reason(text):
    with pytest.raises(Invalid) as refused:
        Settings.from_env({"KKRBOT_DIGEST": text})
    assert "KKRBOT_DIGEST" in refused.value.message("da") and text in refused.value.message("da")


def test_erasure_knows_the_digest_parts(store, hearing):
    digest.choose(store, "php@aalborg.dk", False, NOW, by="cli")
    digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830)
    done = erasure.forget(store, "jt@viborg.dk", NOW)
    with store.read(DIGESTS.part(202649)) as view:
        assert all(d["recipient"]["email"] != "jt@viborg.dk" for d in view.all("deliveries"))
    erasure.forget(store, "php@aalborg.dk", NOW)
    assert digest.choices(store) == {}
    assert done["pseudonym"].startswith("person-")
