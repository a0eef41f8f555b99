"""Signing in to the dashboard from Teams, end to end on loopback: signed
messages to ``POST /teams/messages``, the reply read from the fake
connector, and the link in it used on the served web app's ``/status``
pages.  Who asks is known by the e-mail Teams vouches for (the roster)."""

import re

import pytest

from api.config import Settings
from bot.teams_package import COMMANDS
from bot.web import create_web_app
from handlers import broadcasts
from handlers.directory_csv import import_csv
from handlers.i18n import t
from tests.conftest import NOW
from tests.support.bot_framework import fake_bot_framework, message
from tests.support.servers import serve_in_thread

PUBLIC = "https://kkr.rkkp.dk"
ANNE = {"user": "29:anne", "aad": "aad-anne", "conversation": "a:personal-aad-anne", "name": "Anne Nakano"}
STRANGER = {"user": "29:ukendt", "aad": "aad-ukendt", "conversation": "a:personal-aad-ukendt", "name": "Ukendt"}
LINK = re.compile(re.escape(PUBLIC) + r"(/status/sign-in/[A-Za-z0-9_-]+)")


@pytest.fixture
def teams(store, db_path):
    import_csv(store, "role,place,name,title,email,phone,slack_id,organisation\n"
               "consultant,,Anne Nakano,Konsulent,anne@rkkp.dk,,,RKKP\n", NOW)
    with fake_bot_framework() as fake:
        fake.add_member("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor")
        fake.add_member("29:anne", "aad-anne", "anne@rkkp.dk", "Anne Nakano")
        fake.add_member("29:ukendt", "aad-ukendt", "someone@example.org", "Ukendt")
        env = {key.lower(): value for key, value in fake.settings_env().items()}
        app = create_web_app(Settings(db_path=str(db_path), public_url=PUBLIC, **env), store=store,
                             clock=lambda: NOW, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "url": base + "/teams/messages", "app": app}


def ask(teams, text, **kwargs) -> str:
    fake = teams["fake"]
    before = len(fake.activities)
    assert fake.signed_post(teams["url"], message(fake, text, **kwargs))[0] == 200
    (reply,) = fake.activities[before:]
    return reply["body"]["text"]


def signs_in(teams, text) -> bool:
    """The link in ``text`` signs in on the dashboard (once)."""
    (path,) = LINK.findall(text)
    browser = teams["app"].test_client()
    page = browser.get(path)
    assert page.status_code == 200
    used = browser.post(path, data={"csrf": csrf(page.get_data(as_text=True))})
    assert used.status_code == 303 and used.headers["Location"].endswith("/status")
    assert browser.get("/status").status_code == 200
    again = teams["app"].test_client()
    return again.post(path, data={"csrf": csrf(again.get(path).get_data(as_text=True))}).status_code == 403  # spent


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in_links(store) -> list[dict]:
    return [e for e in store.audit.entries() if e["action"] == "signin_link"]


def test_a_consultants_status_carries_a_single_use_sign_in_link(teams, store):
    broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Indikatorer"},
                                by="Anne Nakano", now=NOW)
    text = ask(teams, "status", **ANNE)
    assert "Indikatorer" in text
    assert signs_in(teams, text)
    assert [e["actor"] for e in sign_in_links(store)] == ["teams:aad-anne"]


@pytest.mark.parametrize("command", ["log ind", "dashboard", "Oversigt"])
def test_anyone_the_directory_knows_gets_a_link_by_asking(teams, store, command):
    text = ask(teams, command)  # Jonas, KKR contact of Midtjylland
    assert signs_in(teams, text)
    assert len(sign_in_links(store)) == 1


def test_someone_the_directory_does_not_know_gets_the_sign_in_forms_answer(teams, store):
    assert ask(teams, "log ind", **STRANGER) == t("signin.sent", "da")
    assert sign_in_links(store) == []


def test_a_members_status_gets_no_link(teams, store):
    text = ask(teams, "status")
    assert not LINK.findall(text) and sign_in_links(store) == []


def test_the_command_is_in_the_manifest_and_the_help(teams):
    assert "log ind" in [name for name, _ in COMMANDS]
    assert "log ind" in ask(teams, "hjælp")


def test_no_link_is_ever_posted_where_others_can_read_it(teams, store):
    channel = {"conversation": "19:channel@thread.tacv2;messageid=1", "kind": "channel", "mention": True}
    assert ask(teams, "log ind", **channel) == t("teams.signin_personal", "da")
    group = {**ANNE, "conversation": "19:group@thread.v2", "kind": "groupChat"}
    assert not LINK.findall(ask(teams, "status", **group))
    assert sign_in_links(store) == []
