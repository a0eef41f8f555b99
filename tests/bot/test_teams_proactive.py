"""Installing the Teams app stores the conversation reference, and notices
reach Teams-only people 1:1 as cards through the connector, paced, with
429s waited out: end to end on loopback (signed activities to the served
web app, the fake Bot Framework's connector, the dispatcher's real sends)."""

import time
from collections import Counter

import pytest

from api.config import Settings
from bot.web import create_web_app
from handlers import broadcasts, erasure, teams_people
from tests.conftest import NOW
from tests.support.bot_framework import APP_ID, activity, fake_bot_framework
from tests.support.servers import serve_in_thread

PEOPLE = [("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor"),
          ("29:mia", "aad-mia", "mima@haderslev.dk", "Mia Mandau"),
          ("29:lise", "aad-lise", "lht@kl.dk", "Lise Holten")]
NOTICE = {"kind": "info", "database": "DHRD", "title": "Nye indikatorer", "link": "https://www.rkkp.dk/dhrd"}
BOT = {"id": f"28:{APP_ID}", "name": "kkr-bot"}


@pytest.fixture
def teams(store, db_path):
    """The web app with Teams on (no Slack, no SMTP: the rest goes to the outbox)."""
    with fake_bot_framework() as fake:
        for person in PEOPLE:
            fake.add_member(*person)
        env = {key.lower(): value for key, value in fake.settings_env().items()}
        app = create_web_app(Settings(db_path=str(db_path), **env), store=store, clock=lambda: NOW, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "url": base + "/teams/messages", "dispatcher": app.config["DISPATCHER"]}


def install_personal(teams, user="29:jonas", aad="aad-jonas"):
    fake, conversation = teams["fake"], f"a:personal-{aad}"
    fake.rosters[conversation] = [user]
    update = activity(fake, "installationUpdate", conversation, "personal", action="add")
    update["from"] = {"id": user, "aadObjectId": aad}
    assert fake.signed_post(teams["url"], update)[0] == 200
    return conversation


def deliveries_of(store, broadcast_id=1):
    with store.read(broadcasts.part_of(broadcast_id)) as view:
        return view.all("deliveries")


def test_installation_in_a_personal_chat_stores_the_conversation(teams, store):
    conversation = install_personal(teams)
    stored = teams_people.by_email(store, "jt@viborg.dk")
    assert stored["aad_object_id"] == "aad-jonas" and stored["conversation_id"] == conversation
    assert stored["service_url"] == teams["fake"].service_url and stored["tenant_id"]
    assert [e["action"] for e in store.audit.entries()].count("teams_reference") == 1


def test_installation_in_a_team_stores_everyone_on_its_roster(teams, store):
    fake = teams["fake"]
    update = activity(fake, "conversationUpdate", "19:general@thread.tacv2", "channel",
                      membersAdded=[BOT], channelData={"tenant": {"id": "t"}, "team": {"id": "19:team"}})
    assert fake.signed_post(teams["url"], update)[0] == 200
    for _, aad, email, _ in PEOPLE:
        stored = teams_people.by_email(store, email)
        assert stored["aad_object_id"] == aad and stored["conversation_id"] is None


def test_an_unsigned_installation_stores_nothing(teams, store):
    fake = teams["fake"]
    update = activity(fake, "installationUpdate", "a:personal-aad-jonas", "personal", action="add")
    assert fake.signed_post(teams["url"], update, token=None)[0] == 401
    assert teams_people.by_email(store, "jt@viborg.dk") is None


def test_a_broadcast_reaches_a_teams_only_kkr_contact_as_a_card(teams, store):
    conversation = install_personal(teams)
    broadcasts.create_broadcast(store, NOTICE, by="Anne Nakano", now=NOW)
    teams["dispatcher"].run_once()
    posted = teams["fake"].posted_to(conversation)
    assert len(posted) == 1
    card = posted[0]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "Nye indikatorer" in str(card["content"]) and card["content"]["version"] == "1.5"
    to_jonas = [d for d in deliveries_of(store) if d["recipient"]["email"] == "jt@viborg.dk"]
    assert to_jonas[0]["state"] == "sent" and to_jonas[0]["channel"] == "teams"
    assert {d["channel"] for d in deliveries_of(store) if d["recipient"]["email"] != "jt@viborg.dk"} == {"outbox"}


def test_a_person_known_from_a_team_gets_a_personal_chat_created_once(teams, store):
    fake = teams["fake"]
    update = activity(fake, "conversationUpdate", "19:general@thread.tacv2", "channel", membersAdded=[BOT])
    assert fake.signed_post(teams["url"], update)[0] == 200
    broadcasts.create_broadcast(store, NOTICE, by="Anne Nakano", now=NOW)
    teams["dispatcher"].run_once()
    created = fake.conversations
    # Lise gets two notices (KL stands in for two regions) in one personal chat.
    assert sorted(c["members"][0]["id"] for c in created) == ["aad-jonas", "aad-lise", "aad-mia"]
    assert all(c["tenantId"] for c in created)
    assert len(fake.posted_to("a:personal-aad-lise")) == 2
    assert teams_people.by_email(store, "lht@kl.dk")["conversation_id"] == "a:personal-aad-lise"


def test_a_429_burst_loses_nothing_and_doubles_nothing(teams, store):
    fake = teams["fake"]
    for user, aad, _, _ in PEOPLE:
        install_personal(teams, user, aad)
    broadcasts.create_broadcast(store, NOTICE, by="Anne Nakano", now=NOW)
    fake.refuse_posts(3, status=429, retry_after=0.2)
    fake.refuse_posts(1, status=502, retry_after=0.1)
    started = time.monotonic()
    teams["dispatcher"].run_once()
    assert len(fake.refusals) == 4 and time.monotonic() - started >= 0.2
    in_teams = [d for d in deliveries_of(store) if d["recipient"]["email"] != "php@aalborg.dk"]
    assert len(in_teams) == 4 and {d["state"] for d in in_teams} == {"sent"}
    assert {d["channel"] for d in in_teams} == {"teams"}
    posted = Counter(a["conversation"] for a in fake.activities)
    assert posted == {"a:personal-aad-jonas": 1, "a:personal-aad-mia": 1, "a:personal-aad-lise": 2}
    assert len({d["ref"]["activity"] for d in in_teams}) == 4


def test_forget_removes_the_teams_reference(teams, store, tmp_path):
    install_personal(teams)
    erasure.forget(store, "jt@viborg.dk", NOW)
    assert teams_people.by_email(store, "jt@viborg.dk") is None
    text = store.file_of(teams_people.PART).read_text()
    assert "jt@viborg.dk" not in text and "aad-jonas" not in text
