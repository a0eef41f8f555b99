"""Broadcasts through Slack: signed requests to /slack/events of a served
app, whose Web API calls go to a fake Slack over loopback HTTP."""

import time
from datetime import timedelta

import pytest

from api.config import Settings
from bot.render.deliveries import ACK, FORWARD, MODAL, REPLY
from bot.render.hearings import REPLY_MODAL
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, interaction, slash_command, view_submission
from tests.support.waiting import wait_until

SECRET = "signing-secret"
MODAL_VALUES = {"kind": {"selected_option": {"value": "hearing"}}, "database": {"value": "dhrd"},
                "title": {"value": "Høring over kommunale indikatorer"}, "link": {"value": "https://rkkp.dk/dhrd"},
                "body": {"value": None}, "deadline": {"selected_date": "2026-12-15"}}


def modal_state(values):
    return {block: {"value": value} for block, value in values.items()}


@pytest.fixture
def slack(store, db_path):
    with fake_slack() as fake:
        fake.add_user("UJONAS", "jt@viborg.dk")
        fake.add_user("UMIA", "mima@haderslev.dk")
        fake.add_user("UBO", "bo@viborg.dk")
        fake.add_user("UANNE", "anne@rkkp.dk")
        set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",), dispatch_interval=0.2)
        clock = Clock(NOW)
        app = create_web_app(settings, store=store, clock=clock)
        token, _ = create_token(store, "reader", "staff", NOW)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "base": base, "events": base + "/slack/events", "app": app, "clock": clock,
                   "respond": fake.url + "/response/", "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def submit(slack, values=None, user="UANNE", view_id="V1", **signing):
    payload = view_submission(user, MODAL, {}, view_id=view_id)
    payload["view"]["state"]["values"] = {block: {"value": v} for block, v in (values or MODAL_VALUES).items()}
    return interaction(slack["events"], SECRET, payload, **signing)


def dm_to(fake, user):
    return [m for m in fake.of("chat.postMessage") if m.get("channel") == user]


def button(message, action_id):
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button")


def status(slack, broadcast_id=1):
    found = call("GET", f"{slack['base']}/api/broadcasts/{broadcast_id}", headers=slack["auth"])[1]
    return {r["region"]["code"]: r for r in found["regions"]}


def test_only_consultants_open_the_broadcast_modal(slack):
    fake = slack["fake"]
    code, refusal = slash_command(slack["events"], SECRET, "/rkkp-broadcast", "", "UBO", slack["respond"] + "bo")
    assert code == 200 and "Kun RKKP's konsulenter" in refusal["text"]  # in the ack: an ephemeral answer
    assert fake.of("views.open") == []
    slash_command(slack["events"], SECRET, "/rkkp-broadcast", "", "UANNE", slack["respond"] + "anne")
    view = fake.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == MODAL and [b["block_id"] for b in view["blocks"]][:3] == ["kind", "database", "title"]


def test_a_submitted_modal_fans_out_to_slack_and_the_outbox(slack, db_path):
    fake = slack["fake"]
    code, body = submit(slack)
    assert code == 200 and not body
    fake.wait_for("chat.postMessage", 3)
    jonas = dm_to(fake, "UJONAS")[0]
    assert "Høring over kommunale indikatorer" in jonas["text"]
    assert button(jonas, ACK)["value"] == "1:2" and button(jonas, FORWARD)["value"] == "1:1082"
    assert button(jonas, REPLY)["value"] == "1:2"
    assert "Høringsfrist: 15. december 2026" in jonas["blocks"][1]["text"]["text"]
    assert "Udsendelse #1 er oprettet" in dm_to(fake, "UANNE")[0]["text"]
    wait_until(lambda: {r["state"] for r in status(slack).values()} == {"sent"})
    rows = status(slack)
    assert rows["1082"]["channel"] == "slack" and rows["1081"]["channel"] == "outbox"
    assert sorted(p.name for p in (db_path.parent / "outbox").iterdir()) == [
        "broadcast-1-delivery-1.eml", "broadcast-1-delivery-4.eml", "broadcast-1-delivery-5.eml"]
    assert len(fake.of("users.lookupByEmail")) == 4  # lht@kl.dk once: the look-up is cached


def test_a_double_submitted_modal_makes_one_broadcast(slack):
    submit(slack, view_id="V9", timestamp=int(time.time()) - 1)
    submit(slack, view_id="V9")  # a second request (signed anew), not a replay the door drops
    slack["fake"].wait_for("chat.postMessage", 3)
    assert [b["id"] for b in call("GET", slack["base"] + "/api/broadcasts", headers=slack["auth"])[1]] == [1]


def test_a_hearing_without_deadline_is_refused_in_the_modal(slack):
    code, body = submit(slack, {**MODAL_VALUES, "deadline": {"selected_date": None}})
    assert code == 200 and body["response_action"] == "errors"
    assert body["errors"] == {"deadline": "En høring skal have en høringsfrist."}
    assert call("GET", slack["base"] + "/api/broadcasts", headers=slack["auth"])[1] == []


def test_acknowledge_once_and_only_by_the_recipient(slack):
    fake = slack["fake"]
    submit(slack)
    fake.wait_for("chat.postMessage", 3)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    jonas = dm_to(fake, "UJONAS")[0]
    click = block_action("UJONAS", ACK, "1:2", slack["respond"] + "jonas", jonas["blocks"])
    clicked_at = int(time.time())
    assert interaction(slack["events"], SECRET, click, timestamp=clicked_at)[0] == 200
    updated = fake.wait_for("response_url")[0]
    assert updated["replace_original"] is True and "kvitteret" in updated["text"]
    assert all(e.get("action_id") != ACK for b in updated["blocks"] for e in b.get("elements", []))
    first = status(slack)["1082"]
    assert first["state"] == "acknowledged" and first["acknowledged_by"] == "Jonas Thor Björnson"

    replay = interaction(slack["events"], SECRET, click, timestamp=clicked_at, headers={"X-Slack-Retry-Num": "1"})
    assert replay == (200, "")                                    # the same signed request again: no effect
    double = {**click, "actions": [{**click["actions"][0], "action_ts": "1700000001.000002"}]}
    interaction(slack["events"], SECRET, double)                  # a double click is a request of its own
    fake.wait_for("response_url", 2)
    assert status(slack)["1082"]["acknowledged_at"] == first["acknowledged_at"]

    other = block_action("UMIA", ACK, "1:2", slack["respond"] + "mia")
    interaction(slack["events"], SECRET, other)
    refusal = [c for c in fake.wait_for("response_url", 3) if c["name"] == "mia"][0]
    assert "Kun modtageren" in refusal["text"]


def test_forward_and_municipal_reply_through_slack(slack):
    fake = slack["fake"]
    submit(slack)
    fake.wait_for("chat.postMessage", 3)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    interaction(slack["events"], SECRET, block_action("UJONAS", FORWARD, "1:1082", slack["respond"] + "fwd"))
    note = [c for c in fake.wait_for("response_url") if c["name"] == "fwd"][0]
    assert "Sendt videre til 1 kommune i Region Midtjylland" in note["text"]
    assert "Herning" in note["text"]
    # The button is Bo's once the store has recorded the message as sent to him.
    wait_until(lambda: status(slack)["1082"]["municipalities"]["reached"] == 1)
    bo = dm_to(fake, "UBO")[0]
    said = bo["blocks"][1]["text"]["text"]
    assert "for Viborg Kommune via KKR Midtjylland (kontaktperson: Jonas Thor Björnson)" in said
    with pytest.raises(AssertionError):
        button(bo, FORWARD)

    interaction(slack["events"], SECRET, block_action("UBO", REPLY, button(bo, REPLY)["value"], slack["respond"]))
    view = fake.wait_for("views.open")[0]["view"]
    assert view["callback_id"] == REPLY_MODAL
    payload = view_submission("UBO", REPLY_MODAL, {}, private_metadata=view["private_metadata"])
    payload["view"]["state"]["values"] = {"reply": {"value": {"value": "Viborg er enig."}}}
    assert interaction(slack["events"], SECRET, payload)[0] == 200
    wait_until(lambda: status(slack)["1082"]["municipal_replies"] == ["Viborg"])
    interaction(slack["events"], SECRET, block_action("UJONAS", REPLY, "1:2", slack["respond"]))
    kkr_view = fake.wait_for("views.open", 2)[1]["view"]
    assert "Viborg er enig." in kkr_view["blocks"][1]["text"]["text"]


def test_rate_limits_are_waited_out_and_nothing_is_lost(slack):
    fake = slack["fake"]
    fake.rate_limited("chat.postMessage", times=2, retry_after=1)
    submit(slack)
    wait_until(lambda: dm_to(fake, "UJONAS") and dm_to(fake, "UMIA"), timeout=15)
    wait_until(lambda: {r["state"] for r in status(slack).values()} == {"sent"})
    assert len(dm_to(fake, "UJONAS")) == 1 and len(dm_to(fake, "UMIA")) == 1
    assert fake.attempts("chat.postMessage") == len(fake.of("chat.postMessage")) + 2


def test_a_slack_outage_is_recorded_and_retried(slack):
    fake = slack["fake"]
    slash_command(slack["events"], SECRET, "/kkr", "Viborg", "UANNE", slack["respond"] + "before")
    fake.wait_for("response_url")  # the app has met Slack (auth.test) before the outage
    fake.down = True
    submit(slack)
    wait_until(lambda: status(slack)["1082"]["state"] == "failed", timeout=15)
    assert "503" in status(slack)["1082"]["last_error"] or "Service Unavailable" in status(slack)["1082"]["last_error"]
    fake.down = False
    slack["clock"].advance(timedelta(minutes=1))
    slack["app"].config["DISPATCHER"].kick()
    wait_until(lambda: status(slack)["1082"]["state"] == "sent", timeout=15)
    assert len(dm_to(fake, "UJONAS")) == 1


def test_status_command(slack):
    fake = slack["fake"]
    submit(slack)
    fake.wait_for("chat.postMessage", 3)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    slash_command(slack["events"], SECRET, "/rkkp-status", "1", "UANNE", slack["respond"] + "status")
    text = fake.wait_for("response_url")[0]["text"]
    assert "#1 Høring – DHRD: Høring over kommunale indikatorer" in text
    assert "Region Midtjylland – Jonas Thor Björnson: sendt, ikke kvitteret endnu" in text
    assert "Mangler at kvittere: Region Nordjylland, Region Midtjylland" in text
