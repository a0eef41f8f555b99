"""What people type never becomes Slack formatting: a broadcast's title and
text, a contact's name and a municipality's reply reach Slack with ``&``,
``<`` and ``>`` escaped, so ``<!channel>`` cannot notify a channel,
``<@U…>`` cannot mention anyone and ``<https://…|…>`` cannot hide a link.
Through the real interfaces: the API, the e-mailed page, signed requests to
``/slack/events`` and the fake Slack on loopback."""

import email
import email.policy
import json
import re
import urllib.parse

import pytest

from api.config import Settings
from bot.render.deliveries import REPLY
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact, set_region_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, interaction, slash_command
from tests.support.waiting import wait_until

SECRET = "signing-secret"
RAW = ("<!channel>", "<!here>", "<@U0EVIL>", "<https://evil")
TITLE = "Ny rapport <!channel> & <https://evil.example|Klik for at bekræfte>"
BODY = "Hej <@U0EVIL>, se <!here> – A > B"
REPLY_TEXT = "<!channel> Viborg er enig & <https://evil.example|Klik her>"


@pytest.fixture
def slack(store, db_path):
    with fake_slack() as fake:
        fake.add_user("UJONAS", "jt@viborg.dk")
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",), dispatch_interval=0.2)
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "consultant", "Anne", NOW)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "base": base, "events": base + "/slack/events", "respond": fake.url + "/response/",
                   "auth": {"Authorization": f"Bearer {token}"}, "outbox": db_path.parent / "outbox"}
        app.config["DISPATCHER"].stop()


def assert_escaped(message: dict, *expected: str) -> None:
    """No raw control sequence anywhere in the text or the blocks; each
    expected (escaped) piece in both the ``text`` fallback and the blocks."""
    posted = json.dumps({"text": message["text"], "blocks": message.get("blocks")}, ensure_ascii=False)
    assert not [raw for raw in RAW if raw in posted], posted
    for piece in expected:
        assert piece in message["text"], (piece, message["text"])
        assert piece in json.dumps(message.get("blocks"), ensure_ascii=False), piece


def dms(fake, user):
    return [m for m in fake.of("chat.postMessage") if m.get("channel") == user]


def responses(fake, name):
    return [c for c in fake.of("response_url") if c["name"] == name]


def command(slack, name, text, user="UANNE"):
    """Run a slash command; its answer through the response_url."""
    answer_to = re.sub(r"\W", "", name + text) + str(len(slack["fake"].calls))
    slash_command(slack["events"], SECRET, name, text, user, slack["respond"] + answer_to)
    return wait_until(lambda: responses(slack["fake"], answer_to), what=f"{name} {text} answered")[-1]


def state_of(slack, region):
    found = call("GET", f"{slack['base']}/api/broadcasts/1", headers=slack["auth"])[1]
    return next(r for r in found["regions"] if r["region"]["code"] == region)


def test_a_broadcast_and_its_forward_reach_slack_escaped(slack, store):
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    slack["fake"].add_user("UBO", "bo@viborg.dk")
    status, _ = call("POST", slack["base"] + "/api/broadcasts",
                     {"kind": "info", "database": "DHRD", "title": TITLE, "body": BODY,
                      "link": "https://www.rkkp.dk/dhrd?a=1&b=2"}, slack["auth"])
    assert status == 201
    jonas = wait_until(lambda: dms(slack["fake"], "UJONAS"), what="the DM to the KKR contact")[0]
    assert_escaped(jonas, "&lt;!channel&gt; &amp; &lt;https://evil.example|Klik for at bekræfte&gt;")
    assert jonas["text"].startswith("Information – DHRD: ")
    assert jonas["blocks"][0]["text"] == {"type": "plain_text", "text": "Information – DHRD"}
    section = jonas["blocks"][1]["text"]["text"]
    assert section.startswith("*Ny rapport &lt;!channel&gt; &amp; ")  # our own bold survives
    assert "Hej &lt;@U0EVIL&gt;, se &lt;!here&gt; – A &gt; B" in section
    assert "Link: https://www.rkkp.dk/dhrd?a=1&amp;b=2" in section

    wait_until(lambda: state_of(slack, "1082")["state"] == "sent")
    assert call("POST", slack["base"] + "/api/broadcasts/1/forward", {"region": "1082"}, slack["auth"])[0] == 200
    bo = wait_until(lambda: dms(slack["fake"], "UBO"), what="the DM to the municipality")[0]
    assert_escaped(bo, "&lt;!channel&gt;")

    listed = command(slack, "/rkkp-status", "")
    assert_escaped(listed, "Ny rapport &lt;!channel&gt; &amp; &lt;https://evil.example|Klik")
    one = command(slack, "/rkkp-status", "1")
    assert_escaped(one, "#1 Information – DHRD: Ny rapport &lt;!channel&gt;")


def test_a_contact_name_and_a_typed_place_are_escaped_in_kkr_answers(slack, store):
    set_region_contact(store, "Midtjylland", {"name": "Jonas <!here> Thor", "email": "jt@viborg.dk"}, NOW)
    one = command(slack, "/kkr", "Midtjylland")
    assert_escaped(one, "KKR-kontaktperson for Region Midtjylland: Jonas &lt;!here&gt; Thor, jt@viborg.dk")
    overview = command(slack, "/kkr", "")
    assert_escaped(overview, "Jonas &lt;!here&gt; Thor")
    unknown = command(slack, "/kkr", "<!channel>")
    assert_escaped(unknown, "»&lt;!channel&gt;«")
    assert "`/kkr help`" in unknown["text"]  # our own code formatting survives


def test_a_municipal_reply_from_the_emailed_page_is_escaped_in_slack(slack, store):
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)  # e-mail, no Slack
    status, _ = call("POST", slack["base"] + "/api/broadcasts",
                     {"kind": "hearing", "database": "DHRD", "title": TITLE, "deadline": "2026-12-15"}, slack["auth"])
    assert status == 201
    wait_until(lambda: state_of(slack, "1082")["state"] == "sent")
    call("POST", slack["base"] + "/api/broadcasts/1/forward", {"region": "1082"}, slack["auth"])
    wait_until(lambda: state_of(slack, "1082")["municipalities"]["reached"] == 1)
    mail = _mail_to(slack["outbox"], "bo@viborg.dk")
    token = re.search(r"/ack/([\w-]+)", mail).group(1)
    form = urllib.parse.urlencode({"text": REPLY_TEXT}).encode()
    code, page = call("POST", f"{slack['base']}/ack/{token}/reply", form,
                      {"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 200 and "høringssvaret er gemt" in page
    assert "&lt;!channel&gt; Viborg er enig &amp; &lt;https://evil.example|Klik her&gt;" in page  # HTML, once

    report = command(slack, "/rkkp-report", "1")
    assert_escaped(report, "&lt;!channel&gt; Viborg er enig &amp; &lt;https://evil.example|Klik her&gt;")
    assert "\n> " in report["text"]  # the reply is still quoted

    interaction(slack["events"], SECRET, block_action("UJONAS", REPLY, "1:2", slack["respond"] + "reply"))
    view = slack["fake"].wait_for("views.open")[0]["view"]
    shown = json.dumps(view["blocks"][:2], ensure_ascii=False)
    assert "Viborg er enig &amp; &lt;https://evil.example|Klik her&gt;" in shown
    assert not [raw for raw in RAW if raw in json.dumps(view, ensure_ascii=False)]

    closing = {"message": "De endelige indikatorer <!channel> & <@U0EVIL>"}
    assert call("POST", slack["base"] + "/api/hearings/1/close", closing, slack["auth"])[0] == 200
    closed = wait_until(lambda: dms(slack["fake"], "UJONAS")[1:], what="the closing message")[0]
    assert_escaped(closed, "Høringen »Ny rapport &lt;!channel&gt; &amp; &lt;https://evil.example|Klik")
    assert "De endelige indikatorer &lt;!channel&gt; &amp; &lt;@U0EVIL&gt;" in closed["blocks"][1]["text"]["text"]


def _mail_to(outbox, address: str) -> str:
    def found():
        for path in outbox.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in message["To"]:
                return message.get_body(("plain",)).get_content()
        return None

    return wait_until(found, what=f"an e-mail to {address}")


def test_a_representative_is_escaped_in_the_roster_and_the_welcome(slack):
    slack["fake"].add_user("UKIM", "kim@skive.dk")
    code, opened = call("POST", slack["base"] + "/api/databases/DHRD/appointments",
                        {"disease_area": "Hjerte", "representatives": 2, "next_meeting": "2027-01-12",
                         "justification": "To repræsentanter dækker forløbet."}, slack["auth"])
    assert code == 201
    for name, address, region in (("Ole <!here> Berg", "ole@viborg.dk", "1082"), ("Kim Ny", "kim@skive.dk", "1081")):
        code, _ = call("POST", f"{slack['base']}/api/appointments/{opened['id']}/appointees",
                       {"name": name, "email": address, "region": region, "workplace": "Kommune <@U0EVIL>"},
                       slack["auth"])
        assert code == 201
    welcome = wait_until(lambda: dms(slack["fake"], "UKIM"), what="the welcome DM")[0]
    assert_escaped(welcome)
    assert "De andre kommunale repræsentanter: Ole &lt;!here&gt; Berg." in welcome["blocks"][1]["text"]["text"]

    roster = command(slack, "/kkr", "reps DHRD")
    assert_escaped(roster, "Ole &lt;!here&gt; Berg (–, Kommune &lt;@U0EVIL&gt;), ole@viborg.dk")
