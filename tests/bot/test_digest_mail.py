"""The weekly digest end to end: the scheduler on a test clock across
Easter week 2027 queues it, the dispatcher sends it over a real SMTP server
(aiosmtpd), the mails are parsed, or as a Slack DM (the fake Web API); a second scheduler (another store object
and dispatcher on the same files, at the same time) sends nothing twice;
the opt-out link in the mail, served over HTTP, stops the next ones."""

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from bot import scheduler
from bot.__main__ import main
from bot.slack import web_client
from bot.web import build_dispatcher, create_web_app
from data import Store
from handlers import broadcasts, forwarding
from handlers.digest_schedule import parse_schedule
from handlers.directory_admin import set_municipality_contact
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.smtp import free_port, smtp_server

CPH = ZoneInfo("Europe/Copenhagen")
TZ = "Europe/Copenhagen"
WEEKLY = parse_schedule("mon 08:30")
START = datetime(2027, 3, 22, 9, 0, tzinfo=CPH)  # Monday of the week before Easter
FORWARDED = datetime(2027, 3, 24, 10, 0, tzinfo=CPH)  # within the week before the first digest
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale <indikatorer>", "deadline": "2027-04-20"}


@pytest.fixture
def world(store, db_path):
    set_municipality_contact(store, "Skive", {"name": "Sif Dahl", "email": "sif@skive.dk"}, START)
    with smtp_server() as (mailbox, smtp_url):
        port = free_port()
        settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}")
        clock = Clock(START)
        app = create_web_app(settings, store=store, clock=clock, dispatch=False)
        dispatcher = build_dispatcher(store, settings, clock)
        status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=START)
        scheduler.tick(store, dispatcher, clock, TZ)  # the notices; the digest is off until the test turns it on
        clock.now = FORWARDED
        forwarding.forward(store, status["id"], "1082", FORWARDED, by="Anne Nakano")
        scheduler.tick(store, dispatcher, clock, TZ)  # the notices; the digest is off until the test turns it on
        with serve_in_thread(app, port) as base:
            yield {"store": store, "clock": clock, "dispatcher": dispatcher, "mail": mailbox, "base": base,
                   "settings": settings}


def at(world, moment):
    """A scheduler pass at ``moment``; how many digests it mailed (reminders are sent too, and not counted)."""
    before = len(digests(world))
    world["clock"].now = moment
    scheduler.tick(world["store"], world["dispatcher"], world["clock"], TZ, WEEKLY)
    return len(digests(world)) - before


def digests(world):
    return [m for m in world["mail"].messages if "Ugens overblik" in m["Subject"]]


def body(message):
    return " ".join(message.get_content().split())


def test_the_digest_waits_for_the_first_working_day_after_easter_and_comes_once(world):
    # Monday 29 March 2027 is Easter Monday: no digest that day.
    assert at(world, datetime(2027, 3, 29, 9, 0, tzinfo=CPH)) == 0
    assert at(world, datetime(2027, 3, 30, 8, 29, tzinfo=CPH)) == 0
    assert digests(world) == []

    # Tuesday 08:31: two schedulers (another store and dispatcher, as another process would have) at once.
    other_store = Store(world["store"].path)
    other = build_dispatcher(other_store, world["settings"], world["clock"])
    world["clock"].now = datetime(2027, 3, 30, 8, 31, tzinfo=CPH)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda pair: scheduler.tick(pair[0], pair[1], world["clock"], TZ, WEEKLY),
                      [(world["store"], world["dispatcher"]), (other_store, other)]))
    assert len(digests(world)) == 3  # the three KKR contacts (Hovedstaden and Sjælland have none)
    assert at(world, datetime(2027, 3, 31, 9, 0, tzinfo=CPH)) == 0  # and a restart later that week

    mails = digests(world)
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
        "jt@viborg.dk", "mima@haderslev.dk", "php@aalborg.dk"]
    jonas = next(m for m in mails if "jt@viborg.dk" in m["To"])
    assert jonas["Subject"] == "[RKKP] Ugens overblik, uge 13, 2027"
    text = body(jonas)
    assert "1 besked, du endnu ikke har kvitteret for: • Høring – DHRD: »Kommunale <indikatorer>«" in text
    assert "»Kommunale <indikatorer>« (DHRD), høringsfrist 20. april 2027" in text
    assert "»Kommunale <indikatorer>« (DHRD): Skive mangler (kommunernes frist 13. april 2027)" in text
    assert "Siden sidste overblik: 1 videresendelse til kommunerne." in text
    assert re.search(r"/digest/d202713-\d+-[0-9a-f]{32}", text)
    with world["store"].read("digest-202713") as view:
        assert {d["state"] for d in view.all("deliveries")} == {"sent"}
        assert {d["channel"] for d in view.all("deliveries")} == {"email"}


def test_the_opt_out_link_stops_the_next_digests_and_can_start_them_again(world):
    at(world, datetime(2027, 3, 30, 8, 31, tzinfo=CPH))
    peter = next(m for m in digests(world) if "php@aalborg.dk" in m["To"])
    link = re.search(r"http://\S+/digest/\S+", peter.get_content())[0]

    status, page = call("GET", link)  # what a mail scanner does: only shows the page
    assert status == 200 and "Du modtager ugens overblik" in page and "Frameld ugens overblik" in page
    assert at(world, datetime(2027, 4, 5, 8, 31, tzinfo=CPH)) == 3
    status, page = call("POST", link + "/stop", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Du er nu frameldt ugens overblik." in page
    entry = next(e for e in world["store"].audit.entries() if e["action"] == "digest_off")
    assert entry["actor"].startswith("link:digest:202713/delivery:") and entry["target"] == "person:php@aalborg.dk"

    assert at(world, datetime(2027, 4, 12, 8, 31, tzinfo=CPH)) == 2
    assert sorted(m["To"].addresses[0].addr_spec for m in digests(world)[-2:]) == ["jt@viborg.dk",
                                                                                   "mima@haderslev.dk"]

    status, page = call("POST", link + "/start", b"", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "Du er nu tilmeldt ugens overblik." in page
    assert at(world, datetime(2027, 4, 19, 8, 31, tzinfo=CPH)) == 3


def test_a_digest_link_is_no_acknowledgement_link_and_a_forged_one_is_refused(world):
    at(world, datetime(2027, 3, 30, 8, 31, tzinfo=CPH))
    link = re.search(r"http://\S+/digest/\S+", digests(world)[0].get_content())[0]
    token = link.rsplit("/", 1)[1]
    assert call("GET", f"{world['base']}/ack/{token}")[0] == 404
    assert call("POST", f"{world['base']}/ack/{token}", b"", {"Content-Type": "application/x-www-form-urlencoded"}
                )[0] == 404
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert call("POST", f"{world['base']}/digest/{forged}/stop", b"",
                {"Content-Type": "application/x-www-form-urlencoded"})[0] == 404


def test_a_bad_digest_setting_stops_the_scheduler_with_its_reason(monkeypatch, capsys, db_path):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_DIGEST", "søndag 8.30")
    assert main(["scheduler", "--once"]) == 2
    assert "KKRBOT_DIGEST skal være en hverdag og et klokkeslæt" in capsys.readouterr().err


def test_a_consultant_opts_in_on_the_command_line(world, monkeypatch, capsys):
    monkeypatch.setenv("KKRBOT_DB", str(world["store"].path))
    assert main(["digest", "on", "Anne@RKKP.dk"]) == 0
    assert "anne@rkkp.dk får nu ugens overblik." in capsys.readouterr().out
    from handlers.databases import edit_database
    edit_database(world["store"], "DHRD", {"consultant": {"name": "Anne Nakano", "email": "anne@rkkp.dk"}},
                  START, by="cli")
    at(world, datetime(2027, 3, 30, 8, 31, tzinfo=CPH))
    anne = next(m for m in digests(world) if "anne@rkkp.dk" in m["To"])
    assert "Region Hovedstaden, Region Midtjylland, Region Nordjylland, Region Sjælland, Region Syddanmark" \
        in body(anne)



def test_a_kkr_contact_on_slack_gets_it_as_a_dm_with_titles_escaped_and_only_the_opt_out_button(store, db_path):
    with fake_slack() as fake:
        fake.add_user("UJONAS", "jt@viborg.dk")
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret="s",
                            slack_api_url=fake.url + "/api/")
        clock = Clock(START)
        dispatcher = build_dispatcher(store, settings, clock, web_client(settings))
        broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=START)
        scheduler.tick(store, dispatcher, clock, TZ)
        clock.now = datetime(2027, 3, 30, 8, 31, tzinfo=CPH)
        scheduler.tick(store, dispatcher, clock, TZ, WEEKLY)
        posts = [p for p in fake.of("chat.postMessage") if p["channel"] == "UJONAS"]
        digest_dm = next(p for p in posts if "Ugens overblik" in p["text"])
        blocks = digest_dm["blocks"] if isinstance(digest_dm["blocks"], list) else json.loads(digest_dm["blocks"])
        section = blocks[1]["text"]["text"]
        assert "»Kommunale &lt;indikatorer&gt;« (DHRD), høringsfrist 20. april 2027" in section
        actions = [e["action_id"] for block in blocks if block["type"] == "actions" for e in block["elements"]]
        assert actions == ["kkr_digest_stop"]  # nothing to acknowledge: only the opt-out
        with store.read("digest-202713") as view:
            jonas = next(d for d in view.all("deliveries") if d["recipient"]["email"] == "jt@viborg.dk")
        assert (jonas["channel"], jonas["state"]) == ("slack", "sent")
