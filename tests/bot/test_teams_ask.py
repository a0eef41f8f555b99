"""Asking the bot in Teams, end to end on loopback: activities signed like
the Bot Connector's go to ``POST /teams/messages`` of the served web app,
the Teams SDK authenticates them against the fake Bot Framework's OpenID
metadata, and the answer is posted back to the fake connector."""

import subprocess
import sys

import pytest

from api.config import Settings
from bot import shell
from bot.web import create_web_app
from handlers import teams_people
from handlers.permissions import Act
from tests.conftest import NOW
from tests.support.bot_framework import APP_ID, fake_bot_framework, message, new_key
from tests.support.servers import serve_in_thread


@pytest.fixture
def teams(store, db_path):
    with fake_bot_framework() as fake:
        fake.add_member("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor")
        fake.add_member("29:anne", "aad-anne", "anne@rkkp.dk", "Anne Nakano")
        env = {key.lower(): value for key, value in fake.settings_env().items()}
        app = create_web_app(Settings(db_path=str(db_path), **env), store=store, clock=lambda: NOW, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "url": base + "/teams/messages", "app": app}


def ask(teams, text, **kwargs):
    fake = teams["fake"]
    activity = message(fake, text, **kwargs)
    before = len(fake.activities)
    code, _ = fake.signed_post(teams["url"], activity)
    assert code == 200
    replies = fake.activities[before:]
    assert len(replies) == 1
    assert replies[0]["conversation"] == activity["conversation"]["id"]
    return replies[0]["body"]


def test_a_signed_kkr_viborg_gets_the_contact_in_a_reply(teams, store):
    reply = ask(teams, "kkr Viborg")
    assert "jt@viborg.dk" in reply["text"]
    assert reply["type"] == "message" and reply["textFormat"] == "plain"
    assert teams["fake"].tokens_issued[0]["client_id"] == APP_ID  # the reply went with the bot's own token
    # Writing to the bot makes the writer reachable: e-mail from the roster, their personal chat.
    stored = teams_people.by_aad(store, "aad-jonas")
    assert stored["email"] == "jt@viborg.dk" and stored["conversation_id"] == "a:personal-aad-jonas"
    assert any(e["actor"] == "teams:aad-jonas" and e["action"] == "read_contacts" for e in store.audit.entries())


def test_teams_shell_and_slack_give_the_same_answer(teams, store):
    question = "hvem er KKR-kontakt for Region Sjælland?"
    assert ask(teams, question)["text"] == shell.answer(store, question, "da")
    assert ask(teams, "kkr Viborg")["text"] == shell.answer(store, "/kkr Viborg", "da")
    assert ask(teams, "kkr")["text"] == shell.answer(store, "/kkr", "da")


def test_a_channel_mention_is_stripped_and_answered_in_the_channel(teams):
    reply = ask(teams, "kkr Viborg", mention=True, conversation="19:channel@thread.tacv2;messageid=1",
                kind="channel")
    assert "jt@viborg.dk" in reply["text"]
    reply = ask(teams, "hvem er KKR-kontakt for Viborg?", mention=True, conversation="19:group@thread.v2",
                kind="groupChat")
    assert "jt@viborg.dk" in reply["text"]


def test_help_in_danish(teams):
    assert "kkr <region eller kommune>" in ask(teams, "hjælp")["text"]


def test_status_and_report_are_for_consultants(teams, store):
    from handlers import broadcasts
    from handlers.directory_csv import import_csv

    import_csv(store, "role,place,name,title,email,phone,slack_id,organisation\n"
               "consultant,,Anne Nakano,Konsulent,anne@rkkp.dk,,,RKKP\n", NOW)
    broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": "Indikatorer",
                                        "deadline": "2026-12-15"}, by="Anne Nakano", now=NOW)
    refused = ask(teams, "status 1")["text"]
    assert "Indikatorer" not in refused and "RKKP" in refused
    assert "Kun RKKP's konsulenter" in ask(teams, "rapport 1")["text"]
    anne = {"user": "29:anne", "aad": "aad-anne", "conversation": "a:personal-aad-anne", "name": "Anne Nakano"}
    assert "Indikatorer" in ask(teams, "status 1", **anne)["text"]
    assert "Indikatorer" in ask(teams, "rapport 1", **anne)["text"]


@pytest.mark.parametrize("how", ["unsigned", "other key", "other audience", "garbage token"])
def test_an_activity_not_signed_for_this_bot_gets_401_and_no_reply(teams, how, store):
    fake = teams["fake"]
    activity = message(fake, "kkr Viborg")
    kwargs = {"unsigned": {"token": None}, "other key": {"key": new_key()},
              "other audience": {"audience": "someone-else"}, "garbage token": {"token": "not.a.jwt"}}[how]
    code, _ = fake.signed_post(teams["url"], activity, **kwargs)
    assert code == 401
    assert fake.activities == [] and fake.tokens_issued == []
    assert teams_people.by_aad(store, "aad-jonas") is None


def test_the_route_declares_its_act(teams):
    view = teams["app"].view_functions["teams_messages"]
    assert view.act == Act.OPEN


def test_without_teams_app_id_no_route_and_nothing_of_the_sdk_imported(tmp_path):
    code = ("import sys\nfrom api.config import Settings\nfrom bot.web import create_web_app\n"
            f"app = create_web_app(Settings(db_path={str(tmp_path / 'kkrbot.json')!r}), dispatch=False)\n"
            "assert '/teams/messages' not in {r.rule for r in app.url_map.iter_rules()}\n"
            "assert not [m for m in sys.modules if m.startswith('microsoft_teams')], 'imported'\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
