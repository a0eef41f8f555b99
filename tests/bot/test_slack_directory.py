"""/kkr, mentions and DMs through signed requests to a served app; Slack's
Web API is a fake over loopback HTTP."""

import time

import pytest

from api.config import Settings
from bot.web import create_web_app
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import event, signed_post, slash_command

SECRET = "signing-secret"


@pytest.fixture(params=["da"])
def slack(request, store, db_path):
    with fake_slack() as fake:
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", lang=request.param)
        app = create_web_app(settings, store=store, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "events": base + "/slack/events", "respond": fake.url + "/response/"}


def kkr(slack, text, user="UANY"):
    started = time.monotonic()
    code, _ = slash_command(slack["events"], SECRET, "/kkr", text, user, slack["respond"] + "r")
    acked_in = time.monotonic() - started
    assert code == 200 and acked_in < 3
    return slack["fake"].wait_for("response_url")[-1]["text"]


def test_kkr_region(slack):
    text = kkr(slack, "Midtjylland")
    assert "KKR-kontaktperson for Region Midtjylland: Jonas Thor Björnson, jt@viborg.dk" in text


def test_kkr_alone_lists_the_five_regions(slack):
    text = kkr(slack, "")
    assert text.count("•") == 5 and "Peter Hvid Paulsen" in text and "Region Sjælland: afventer aftale" in text


def test_kkr_help(slack):
    """The placeholder in angle brackets is sent escaped, as Slack's mrkdwn
    needs, so Slack shows it instead of reading it as a link."""
    text = kkr(slack, "help")
    assert "/kkr &lt;region eller kommune&gt;" in text and "<region" not in text


def test_kkr_pending_region_names_the_kl_route(slack):
    text = kkr(slack, "Sjælland")
    assert "afventer aftale" in text and "Lise Holten, lht@kl.dk" in text


def test_kkr_unknown_place_gets_suggestions_not_an_error(slack):
    text = kkr(slack, "Hovedstade n")
    assert "Mente du" in text or "Region Hovedstaden" in text
    text = kkr(slack, "Xyzzy")
    assert "Jeg kender ingen region eller kommune, der hedder »Xyzzy«" in text and "/kkr help" in text


def test_mention_is_answered_in_its_thread(slack):
    code, _ = event(slack["events"], SECRET, {"type": "app_mention", "user": "U1", "channel": "C9", "ts": "1.000001",
                                             "text": "<@UBOT> who is the KKR contact for Syddanmark?"})
    assert code == 200
    posted = slack["fake"].wait_for("chat.postMessage")[0]
    assert posted["channel"] == "C9" and posted["thread_ts"] == "1.000001"
    assert "Mia Mandau, mima@haderslev.dk" in posted["text"]


def test_direct_message_is_answered(slack):
    event(slack["events"], SECRET, {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
                                    "ts": "2.000001", "text": "hvem er KKR-kontakt for Viborg?"}, event_id="Ev2")
    posted = slack["fake"].wait_for("chat.postMessage")[0]
    assert posted["channel"] == "D1" and "Jonas Thor Björnson" in posted["text"]


def test_bad_and_stale_signatures_are_refused(slack):
    body = "command=%2Fkkr&text=Viborg&user_id=U1&response_url=" + slack["respond"] + "x"
    assert signed_post(slack["events"], body, SECRET, "application/x-www-form-urlencoded",
                       signature="v0=" + "0" * 64)[0] == 401
    assert signed_post(slack["events"], body, "wrong-secret", "application/x-www-form-urlencoded")[0] == 401
    stale = int(time.time()) - 6 * 60
    assert signed_post(slack["events"], body, SECRET, "application/x-www-form-urlencoded", timestamp=stale)[0] == 401
    time.sleep(0.3)
    assert slack["fake"].of("response_url") == []


@pytest.mark.parametrize("slack", ["en"], indirect=True)
def test_english(slack):
    assert "KKR contact for Central Denmark Region: Jonas Thor Björnson" in kkr(slack, "1082")


def test_unknown_commands_and_very_long_texts_get_a_helpful_answer(slack):
    code, body = slash_command(slack["events"], SECRET, "/kkr-gammel", "x", "U1", slack["respond"] + "u")
    assert code == 200 and "Den kommando kender jeg ikke: /kkr-gammel" in body
    assert "højst 200 tegn" in kkr(slack, "Viborg " * 1000)
    event(slack["events"], SECRET, {"type": "app_mention", "user": "U1", "channel": "C9", "ts": "3.000001",
                                    "text": "<@UBOT> " + "bla " * 2000}, event_id="Ev3")
    assert "højst 200 tegn" in slack["fake"].wait_for("chat.postMessage")[0]["text"]
