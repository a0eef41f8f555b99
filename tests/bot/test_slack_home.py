"""The Slack App Home: signed ``app_home_opened`` events to a served app,
whose ``views.publish`` goes to the fake Slack; the Home tab's buttons act
like the DM's."""

import pytest

from api.config import Settings
from bot.render.deliveries import ACK, REPLY
from bot.render.home import DASHBOARD, LOOKUP, LOOKUP_MODAL, NEW_BROADCAST
from bot.web import create_web_app
from handlers.tokens import create_token
from tests.bot.test_slack_broadcasts import SECRET, button, status, submit
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, event, interaction, view_submission
from tests.support.waiting import wait_until


@pytest.fixture
def slack(store, db_path):
    with fake_slack() as fake:
        fake.add_user("UJONAS", "jt@viborg.dk")
        fake.add_user("UANNE", "anne@rkkp.dk")
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",), dispatch_interval=0.2,
                            public_url="https://kkr.example.dk")
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "reader", "staff", NOW)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "base": base, "events": base + "/slack/events",
                   "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def open_home(slack, user, event_id):
    before = len(slack["fake"].of("views.publish"))
    code, _ = event(slack["events"], SECRET, {"type": "app_home_opened", "user": user, "channel": "D" + user[1:],
                                              "tab": "home"}, event_id=event_id)
    assert code == 200
    published = slack["fake"].wait_for("views.publish", before + 1)
    return published[-1]


def home_click(user, action_id, value):
    """A click in the Home tab: no response_url, the container is the view."""
    payload = block_action(user, action_id, value, "")
    del payload["response_url"], payload["message"]
    payload["container"] = {"type": "view", "view_id": "VHOME"}
    payload["view"] = {"id": "VHOME", "type": "home"}
    return payload


def texts(view) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))


def buttons(view) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in view["blocks"]:
        for element in block.get("elements", []):
            found.setdefault(element["action_id"], []).append(element.get("value"))
    return found


def test_opening_the_home_lists_what_waits_for_the_user(slack):
    fake = slack["fake"]
    assert submit(slack)[0] == 200
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    published = open_home(slack, "UJONAS", "EvHome1")
    assert published["user_id"] == "UJONAS"
    view = fake.home_of("UJONAS")
    assert view["type"] == "home"
    assert "Høring over kommunale indikatorer" in texts(view) and "Høringsfrist" not in texts(view)
    assert "Frist: 15. december 2026" in texts(view)
    assert buttons(view)[ACK] == ["1:2"] and buttons(view)[REPLY] == ["1:2"]
    assert {NEW_BROADCAST, LOOKUP, DASHBOARD} <= set(buttons(view))
    dashboard = button(view, DASHBOARD)
    assert dashboard["url"] == "https://kkr.example.dk/status"


def test_a_consultant_sees_the_broadcasts_they_sent_with_progress(slack):
    submit(slack)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    open_home(slack, "UANNE", "EvHome2")
    view = slack["fake"].home_of("UANNE")
    assert "Der venter ikke noget på dig" in texts(view)
    assert "#1 Høring – DHRD: Høring over kommunale indikatorer: 0 af 5 regioner har kvitteret" in texts(view)


def test_acknowledge_in_the_home_acts_like_the_dm_button_and_refreshes_both_homes(slack):
    fake = slack["fake"]
    submit(slack)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    open_home(slack, "UJONAS", "EvHome3")
    code, _ = interaction(slack["events"], SECRET, home_click("UJONAS", ACK, "1:2"))
    assert code == 200
    wait_until(lambda: status(slack)["1082"]["state"] == "acknowledged")
    assert status(slack)["1082"]["acknowledged_by"] == "Jonas Thor Björnson"
    wait_until(lambda: ACK not in buttons(fake.home_of("UJONAS") or {"blocks": []}))
    assert buttons(fake.home_of("UJONAS"))[REPLY] == ["1:2"]  # the hearing still waits for a reply
    wait_until(lambda: "1 af 5 regioner har kvitteret" in texts(fake.home_of("UANNE") or {"blocks": []}))
    assert not [c for c in fake.of("response_url")]  # the home has no response_url: nothing was sent to one


def test_a_refused_click_in_the_home_is_answered_in_a_dm(slack):
    fake = slack["fake"]
    submit(slack)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    interaction(slack["events"], SECRET, home_click("UANNE", ACK, "1:2"))  # Anne is not Jonas
    message = wait_until(lambda: [m for m in fake.of("chat.postMessage")
                                  if m["channel"] == "UANNE" and "kvittere" in (m.get("text") or "")])
    assert message
    assert status(slack)["1082"]["state"] == "sent"


def test_look_up_a_contact_from_the_home(slack):
    fake = slack["fake"]
    interaction(slack["events"], SECRET, home_click("UJONAS", LOOKUP, "lookup"))
    assert fake.wait_for("views.open")[0]["view"]["callback_id"] == LOOKUP_MODAL
    payload = view_submission("UJONAS", LOOKUP_MODAL, {})
    payload["view"]["state"]["values"] = {"place": {"value": {"value": "Viborg"}}}
    code, answer = interaction(slack["events"], SECRET, payload)
    assert code == 200 and answer["response_action"] == "update"
    assert "Jonas Thor Björnson" in texts(answer["view"])


def test_reply_button_in_the_home_opens_the_reply_modal(slack):
    fake = slack["fake"]
    submit(slack)
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    interaction(slack["events"], SECRET, home_click("UJONAS", REPLY, "1:2"))
    assert fake.wait_for("views.open")[0]["view"]["private_metadata"] == "1:2"
    assert call("GET", slack["base"] + "/api/health")[0] == 200


def test_a_new_notice_refreshes_the_recipients_home_without_opening_it_again(slack):
    """The dispatcher's DM to Jonas republishes his Home tab: the notice is
    there, with its buttons, though he opened the tab before it existed."""
    fake = slack["fake"]
    open_home(slack, "UJONAS", "EvHome4")
    assert "Der venter ikke noget på dig" in texts(fake.home_of("UJONAS"))
    opened = len([c for c in fake.calls if c[0] == "views.publish" and c[1].get("user_id") == "UJONAS"])
    assert submit(slack)[0] == 200
    wait_until(lambda: "Høring over kommunale indikatorer" in texts(fake.home_of("UJONAS")))
    assert buttons(fake.home_of("UJONAS"))[ACK] == ["1:2"]
    published = [c for c in fake.calls if c[0] == "views.publish" and c[1].get("user_id") == "UJONAS"]
    assert len(published) > opened and not fake.refusals()
