"""Reads of personal data from Slack, the shell and the CLI are audited like
those of the API: signed requests to a served app, the CLI as a process."""

import getpass

import pytest

from api.config import Settings
from bot.render.deliveries import REPLY
from bot.web import create_web_app
from data import Store
from handlers import ack_tokens, appointments, broadcasts, deliveries, hearings
from handlers.seeding import seed_directory
from tests.bot.test_shell_and_cli import run_bot
from tests.conftest import NOW
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, event, interaction, slash_command
from tests.support.waiting import wait_until

SECRET = "signing-secret"
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Indikatorer", "deadline": "2026-12-15"}
APPOINTEE = {"name": "Mads Midt", "email": "mm@viborg.dk", "phone": "12345678", "region": "Midtjylland"}


def a_hearing_and_a_roster(store) -> None:
    """Hearing #1, sent (Jonas by Slack), with a reply; a DHRD representative."""
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    for item in deliveries.claim_due(store, NOW, ack_tokens.server_secret(store)):
        user = "UJONAS" if item.recipient["email"] == "jt@viborg.dk" else None
        deliveries.record_sent(store, item, "slack" if user else "email", {"user": user} if user else {}, NOW)
    hearings.reply_for(store, status["id"], "1082", "Midtjylland: enig.", NOW, by="Jonas Thor Björnson")
    request_id = appointments.open_request(store, "DHRD", {"disease_area": "Hjerte"}, NOW, "Anne Nakano")[0]["id"]
    appointments.add_appointee(store, request_id, APPOINTEE, NOW, by="Lise Holten")


@pytest.fixture
def slack(store, db_path):
    a_hearing_and_a_roster(store)
    with fake_slack() as fake:
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",))
        app = create_web_app(settings, store=store, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "events": base + "/slack/events", "respond": fake.url + "/response/"}


def reads(store) -> list[tuple]:
    return [(e["actor"], e["action"], e["target"]) for e in store.audit.entries() if e["action"].startswith("read_")]


@pytest.mark.parametrize("command, text, shown, action, target", [
    ("/rkkp-status", "1", "Jonas Thor Björnson", "read_broadcast", "broadcast:1"),
    ("/rkkp-report", "1", "Jonas Thor Björnson", "read_report", "broadcast:1"),
    ("/kkr", "reps DHRD", "Mads Midt", "read_roster", "database:DHRD"),
])
def test_slack_commands_that_show_people_are_audited(slack, store, command, text, shown, action, target):
    slash_command(slack["events"], SECRET, command, text, "UANNE", slack["respond"] + "r")
    assert shown in slack["fake"].wait_for("response_url")[0]["text"]
    assert wait_until(lambda: reads(store)) == [("slack:UANNE", action, target)]


def test_a_mention_asking_for_the_roster_is_audited(slack, store):
    event(slack["events"], SECRET, {"type": "app_mention", "user": "UKIM", "channel": "C9", "ts": "1.000001",
                                    "text": "<@UBOT> reps DHRD"})
    assert "Mads Midt" in slack["fake"].wait_for("chat.postMessage")[0]["text"]
    assert wait_until(lambda: reads(store)) == [("slack:UKIM", "read_roster", "database:DHRD")]


def test_opening_the_reply_modal_with_the_replies_so_far_is_audited(slack, store):
    interaction(slack["events"], SECRET, block_action("UJONAS", REPLY, "1:2", slack["respond"] + "j"))
    assert slack["fake"].wait_for("views.open")[0]["view"]["callback_id"]
    assert wait_until(lambda: reads(store)) == [("slack:UJONAS", "read_delivery", "broadcast:1/delivery:2")]


def test_shell_reads_are_audited_as_the_shell_user(tmp_path):
    db_path = tmp_path / "k.json"
    store = Store(db_path)
    seed_directory(store, NOW)
    a_hearing_and_a_roster(store)
    done = run_bot(db_path, "shell", stdin="/rkkp-status 1\n/rkkp-report 1\n/kkr reps DHRD\n/rkkp-status\n")
    assert done.returncode == 0 and "Jonas Thor Björnson" in done.stdout and "Mads Midt" in done.stdout
    actor = f"shell:{getpass.getuser()}"
    assert reads(Store(db_path)) == [(actor, "read_broadcast", "broadcast:1"), (actor, "read_report", "broadcast:1"),
                                     (actor, "read_roster", "database:DHRD")]


def test_directory_export_is_audited(tmp_path):
    db_path = tmp_path / "k.json"
    exported = run_bot(db_path, "directory", "export").stdout
    assert "jt@viborg.dk" in exported
    entry = list(Store(db_path).audit.entries())[-1]
    assert (entry["actor"], entry["action"], entry["target"]) == ("cli", "export_contacts", "contacts")
    assert entry["count"] == exported.count("\n") - 1
