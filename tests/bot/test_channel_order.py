"""Channels tried in the order of ``KKRBOT_CHANNELS``.

A delivery goes through the first channel that reaches its recipient: a
channel that cannot (``send`` returns None) passes it on to the next; one
that raises is a failed try, recorded and retried.  The order is the
operator's; an unknown name stops the start with a clear message."""

import itertools

import pytest

from api import create_app
from api.config import Settings
from bot.__main__ import main
from bot.slack import web_client
from bot.web import build_dispatcher, create_web_app
from handlers.broadcasts import create_broadcast
from handlers.errors import Invalid
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.factories import KKR_ON_SLACK
from tests.support.slack_fake import fake_slack
from tests.support.smtp import smtp_server

INFO = {"kind": "info", "database": "DHRD", "title": "Nyt fra DHRD"}
READERS = itertools.count(1)
KKR_EMAILS = ["jt@viborg.dk", "lht@kl.dk", "lht@kl.dk", "mima@haderslev.dk", "php@aalborg.dk"]


def status(store, clock, broadcast_id: int = 1) -> dict:
    """The broadcast's status as the API answers it to RKKP staff: region code -> its row."""
    app = create_app(Settings(db_path=str(store.path)), store=store, clock=clock)
    client = app.test_client()
    token, _ = create_token(store, "reader", f"staff {next(READERS)}", NOW)
    answer = client.get(f"/api/broadcasts/{broadcast_id}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    return {row["region"]["code"]: row for row in answer.get_json()["regions"]}


@pytest.mark.parametrize("order, first", [("email,slack", "email"), ("slack,email", "slack")])
def test_kkrbot_channels_decides_whether_a_slack_user_gets_a_dm_or_an_e_mail(store, db_path, order, first):
    """Everyone of the KKR chain is a Slack user: with ``email,slack`` they
    are e-mailed over SMTP all the same (Slack is never asked); with
    ``slack,email`` they get DMs and no e-mail."""
    with fake_slack() as fake, smtp_server() as (mailbox, smtp_url):
        for user, email in KKR_ON_SLACK.items():
            fake.add_user(user, email)
        settings = Settings.from_env({"KKRBOT_DB": str(db_path), "SLACK_BOT_TOKEN": "xoxb-test",
                                      "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.url + "/api/",
                                      "SMTP_URL": smtp_url, "KKRBOT_CHANNELS": order})
        dispatcher = build_dispatcher(store, settings, lambda: NOW, web_client(settings))
        create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
        assert dispatcher.run_once() == 5
        rows = status(store, lambda: NOW)
        assert {row["channel"] for row in rows.values()} == {first}
        assert {row["state"] for row in rows.values()} == {"sent"}
        if first == "email":
            assert sorted(m["To"].addresses[0].addr_spec for m in mailbox.messages) == KKR_EMAILS
            assert fake.attempts("users.lookupByEmail") == 0 and fake.attempts("chat.postMessage") == 0
        else:
            assert mailbox.messages == [] and len(fake.of("chat.postMessage")) == 5


def test_outbox_named_before_email_writes_files_though_smtp_is_set(store, db_path, tmp_path):
    """``email`` is SMTP when ``SMTP_URL`` is set; ``outbox`` is always the folder."""
    with smtp_server() as (mailbox, smtp_url):
        settings = Settings.from_env({"KKRBOT_DB": str(db_path), "SMTP_URL": smtp_url,
                                      "KKRBOT_CHANNELS": "outbox, email"})
        dispatcher = build_dispatcher(store, settings, lambda: NOW)
        create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
        assert dispatcher.run_once() == 5
    assert mailbox.messages == []
    assert len(list((db_path.parent / "outbox").glob("*.eml"))) == 5
    assert {row["channel"] for row in status(store, lambda: NOW).values()} == {"outbox"}


def test_teams_not_configured_is_passed_over(store, db_path):
    """The default order names Teams; without a Teams app it is skipped, and
    without SMTP ``email`` is the outbox."""
    settings = Settings.from_env({"KKRBOT_DB": str(db_path), "KKRBOT_CHANNELS": "teams,email"})
    dispatcher = build_dispatcher(store, settings, lambda: NOW)
    assert [channel.name for channel in dispatcher.channels] == ["outbox"]
    assert Settings.from_env({}).channels == ("slack", "teams", "email")


def test_an_unknown_channel_name_stops_the_scheduler_with_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KKRBOT_DB", str(tmp_path / "var" / "kkrbot.json"))
    monkeypatch.setenv("KKRBOT_CHANNELS", "slack,sms")
    monkeypatch.setenv("KKRBOT_LANG", "en")
    assert main(["scheduler", "--once"]) == 1
    said = capsys.readouterr().err
    assert "KKRBOT_CHANNELS" in said and "“sms”" in said and "slack, teams, email, outbox" in said, said


@pytest.mark.parametrize("value", ["slack,sms", " , ", "e-mail", "slack", "teams,slack"])
def test_a_web_worker_does_not_boot_with_an_unknown_channel_or_none_set_up(db_path, value):
    """gunicorn's workers build the app: they refuse to start, naming the
    setting, when a name is unknown or no channel named is set up (here:
    no Slack token, no Teams app), rather than fail every delivery."""
    settings = Settings.from_env({"KKRBOT_DB": str(db_path), "KKRBOT_CHANNELS": value})
    with pytest.raises(Invalid, match="KKRBOT_CHANNELS"):
        create_web_app(settings, dispatch=False)

