"""Pressing a button on a Teams card, end to end on loopback: a hearing
created through the API reaches a Teams-only KKR contact as a card (the
background dispatcher, kicked by the API, posts it to the fake connector);
the card's ``Action.Execute`` comes back as a signed ``adaptiveCard/action``
invoke to ``POST /teams/messages``, and the HTTP answer is the invoke
response of the Universal Actions contract.  Who pressed is the Teams user
of the activity, their e-mail from the stored reference or the roster,
never from the card's data."""

import pytest

from api.config import Settings
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.bot_framework import activity, fake_bot_framework
from tests.support.servers import serve_in_thread
from tests.support.waiting import wait_until

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
JONAS = "a:personal-aad-jonas"


@pytest.fixture
def teams(store, db_path):
    """The served web app with Teams on and its dispatcher running (woken
    only by kicks: its interval is an hour); Jonas (KKR Midtjylland) has
    installed the app, the municipalities of Viborg and Skive have e-mail
    contacts, everyone else gets the outbox."""
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Skive", {"name": "Sif Dahl", "email": "sif@skive.dk"}, NOW)
    with fake_bot_framework() as fake:
        fake.add_member("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor")
        fake.add_member("29:peter", "aad-peter", "php@aalborg.dk", "Peter Holm")
        env = {key.lower(): value for key, value in fake.settings_env().items()}
        app = create_web_app(Settings(db_path=str(db_path), dispatch_interval=3600, **env), store=store,
                             clock=lambda: NOW)
        try:
            with serve_in_thread(app) as base:
                world = Teams(fake, base + "/teams/messages", app, store)
                world.install(JONAS, "29:jonas", "aad-jonas")
                world.broadcast()
                yield world
        finally:
            app.config["DISPATCHER"].stop()


class Teams:
    def __init__(self, fake, url, app, store):
        self.fake, self.url, self.app, self.store = fake, url, app, store
        self.client = app.test_client()
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        self.consultant = {"Authorization": f"Bearer {token}"}
        self.client.environ_base["HTTP_AUTHORIZATION"] = self.consultant["Authorization"]
        admin, _ = create_token(store, "admin", "Audit reader", NOW)
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.id = None

    def install(self, conversation, user, aad):
        self.fake.rosters[conversation] = [user]
        update = activity(self.fake, "installationUpdate", conversation, "personal", action="add")
        update["from"] = {"id": user, "aadObjectId": aad}
        assert self.fake.signed_post(self.url, update)[0] == 200

    def broadcast(self):
        response = self.client.post("/api/broadcasts", json=HEARING, headers=self.consultant)
        assert response.status_code == 201, response.json
        self.id = response.json["id"]
        wait_until(lambda: self.fake.posted_to(JONAS), what="the card to Jonas")

    def card(self) -> dict:
        """The card Jonas got in Teams."""
        posted = self.fake.posted_to(JONAS)
        assert len(posted) == 1
        attachment = posted[0]["attachments"][0]
        assert attachment["contentType"] == CARD
        return attachment["content"]

    def button(self, verb) -> dict:
        found = [a for a in self.card()["actions"] if a.get("verb") == verb]
        assert found and found[0]["type"] == "Action.Execute", f"no {verb} button"
        return dict(found[0]["data"])

    def press(self, verb, data, *, user="29:jonas", aad="aad-jonas", signed=True):
        invoke = activity(self.fake, "invoke", JONAS, "personal", name="adaptiveCard/action",
                          value={"action": {"type": "Action.Execute", "verb": verb, "data": data},
                                 "trigger": "manual"})
        invoke["from"] = {"id": user, "aadObjectId": aad, "name": "Someone"}
        return self.fake.signed_post(self.url, invoke, **({} if signed else {"token": None}))

    def region(self, code="1082"):
        status = self.client.get(f"/api/broadcasts/{self.id}").json
        return next(r for r in status["regions"] if r["region"]["code"] == code)

    def audit(self, action):
        return self.client.get(f"/api/audit?action={action}", headers=self.admin).json


def texts(card) -> str:
    return "\n".join(block["text"] for block in card["body"] if block["type"] == "TextBlock")


def test_acknowledge_on_the_card_answers_with_the_acknowledged_card(teams):
    code, body = teams.press("acknowledge", teams.button("acknowledge"))
    assert code == 200
    assert body["statusCode"] == 200 and body["type"] == CARD
    card = body["value"]
    assert card["type"] == "AdaptiveCard"
    assert "kvitterede for modtagelsen den 23. november 2026 kl. 09.00" in texts(card)
    assert "acknowledge" not in [a.get("verb") for a in card["actions"]]
    # The updated card keeps the download of the deadline's calendar event.
    assert [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"] == [
        a["url"] for a in teams.card()["actions"] if a["type"] == "Action.OpenUrl"]
    assert any(a["url"].endswith("/calendar.ics") for a in card["actions"] if a["type"] == "Action.OpenUrl")
    row = teams.region()
    assert row["state"] == "acknowledged" and row["acknowledged_at"] == "2026-11-23T09:00:00+01:00"


def test_the_same_invoke_again_gets_the_same_card_and_records_nothing_twice(teams):
    data = teams.button("acknowledge")
    first = teams.press("acknowledge", data)
    assert first[1]["type"] == CARD and first[1]["value"]["type"] == "AdaptiveCard"
    entries = teams.audit("acknowledge")
    assert teams.press("acknowledge", data) == first
    assert teams.audit("acknowledge") == entries and len(entries) == 1


def test_another_teams_user_is_refused_and_nothing_changes(teams):
    # Peter's card data names Jonas's delivery; his e-mail (from the roster) is not its recipient's.
    code, body = teams.press("acknowledge", {**teams.button("acknowledge"), "email": "jt@viborg.dk"},
                             user="29:peter", aad="aad-peter")
    assert code == 200
    assert body == {"statusCode": 200, "type": MESSAGE, "value": "Kun modtageren kan kvittere for denne besked."}
    assert teams.region()["state"] == "sent"
    assert teams.audit("acknowledge") == []


def test_an_unsigned_invoke_gets_401_and_changes_nothing(teams):
    code, _ = teams.press("acknowledge", teams.button("acknowledge"), signed=False)
    assert code == 401
    assert teams.region()["state"] == "sent"
    assert teams.audit("acknowledge") == []


def test_reply_with_the_text_box_stores_a_hearing_reply_in_the_report(teams):
    data = {**teams.button("reply"), "reply": "Regionen bakker op om indikatorerne."}
    code, body = teams.press("reply", data)
    assert code == 200 and body["type"] == CARD
    assert "Tak – høringssvaret er gemt." in texts(body["value"])
    report = teams.client.get(f"/api/hearings/{teams.id}/report", headers=teams.consultant).json
    region = next(r for r in report["regions"] if r["region"]["code"] == "1082")
    assert region["reply"]["text"] == "Regionen bakker op om indikatorerne."
    assert region["reply"]["by"] == "Jonas Thor Björnson"


def test_forward_queues_the_municipalities_and_the_dispatcher_sends_them(teams):
    code, body = teams.press("forward", teams.button("forward"))
    assert code == 200 and body["type"] == CARD
    assert "Sendt videre til kommunerne i Region Midtjylland" in texts(body["value"])
    # The dispatcher sleeps for an hour unless kicked: the forward kicked it.
    reached = wait_until(lambda: teams.region()["municipalities"]["reached"] == 2 and teams.region(),
                         what="the municipalities sent")
    assert reached["forwarded_at"] and not reached["forwarded_on_behalf"]
