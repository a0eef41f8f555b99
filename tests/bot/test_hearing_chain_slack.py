"""A hearing's chain in Slack: signed requests to /slack/events of a served
app whose Web API calls go to a fake Slack on loopback.  The status says who
forwarded on whose behalf, the KKR contact is asked to consolidate, the
municipalities get their own deadline (set in the modal), and the report and
the closing account for every municipality."""

import pytest

from api.config import Settings
from bot.render.deliveries import MODAL
from bot.web import create_web_app
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import interaction, slash_command, view_submission
from tests.support.waiting import wait_until

SECRET = "signing-secret"
MODAL_VALUES = {"kind": {"selected_option": {"value": "hearing"}}, "database": {"value": "dhrd"},
                "title": {"value": "Høring over kommunale indikatorer"}, "link": {"value": None},
                "body": {"value": None}, "deadline": {"selected_date": "2026-12-15"}}


@pytest.fixture
def slack(store, db_path):
    with fake_slack() as fake:
        for user, address in (("UJONAS", "jt@viborg.dk"), ("UMIA", "mima@haderslev.dk"), ("UBO", "bo@viborg.dk")):
            fake.add_user(user, address)
        set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",), dispatch_interval=0.2)
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        with serve_in_thread(app) as base:
            yield {"fake": fake, "base": base, "events": base + "/slack/events", "respond": fake.url + "/response/",
                   "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def submit(slack, view_id="V1", **values):
    payload = view_submission("UANNE", MODAL, {}, view_id=view_id)
    payload["view"]["state"]["values"] = {block: {"value": v} for block, v in {**MODAL_VALUES, **values}.items()}
    return interaction(slack["events"], SECRET, payload)


def api(slack, method, path, body=None):
    return call(method, slack["base"] + path, body, slack["auth"])


def region(slack, code, broadcast_id=1):
    return next(r for r in api(slack, "GET", f"/api/broadcasts/{broadcast_id}")[1]["regions"]
                if r["region"]["code"] == code)


def dm_text(fake, user):
    wait_until(lambda: [m for m in fake.of("chat.postMessage") if m.get("channel") == user])
    message = [m for m in fake.of("chat.postMessage") if m.get("channel") == user][0]
    return " ".join(" ".join(b["text"]["text"] for b in message["blocks"] if b.get("text")).split())


def command(slack, name, text, respond_as):
    slash_command(slack["events"], SECRET, name, text, "UANNE", slack["respond"] + respond_as)
    wait_until(lambda: [c for c in slack["fake"].of("response_url") if c["name"] == respond_as])
    return [c for c in slack["fake"].of("response_url") if c["name"] == respond_as][0]["text"]


def test_the_kkr_contact_is_asked_to_consolidate_and_municipalities_get_their_deadline(slack):
    fake = slack["fake"]
    submit(slack)
    jonas = dm_text(fake, "UJONAS")
    assert ("Saml kommunernes høringssvar, og send ét samlet høringssvar for regionen til RKKP senest "
            "15. december 2026. Kommunerne har frist til 8. december 2026 for at svare dig.") in jonas
    wait_until(lambda: region(slack, "1082")["state"] == "sent")
    assert api(slack, "POST", "/api/broadcasts/1/forward", {"region": "Midtjylland"})[0] == 200
    bo = dm_text(fake, "UBO")
    assert "Kommunens frist for høringssvar: 8. december 2026." in bo and "15. december 2026" not in bo


def test_status_shows_a_consultants_forward_on_the_regions_behalf(slack):
    submit(slack)
    wait_until(lambda: region(slack, "1082")["state"] == "sent")
    assert api(slack, "POST", "/api/broadcasts/1/forward", {"region": "Midtjylland"})[0] == 200
    status = command(slack, "/rkkp-status", "1", "status")
    midtjylland = next(line for line in status.splitlines() if "Region Midtjylland" in line)
    assert "Jonas Thor Björnson: sendt, ikke kvitteret" in midtjylland
    assert "af Anne Nakano (RKKP) på regionens vegne" in midtjylland
    assert "Region Midtjylland" in status.splitlines()[-1]        # still missing Jonas's acknowledgement


def test_the_modal_sets_the_municipal_deadline_and_refuses_a_later_one(slack):
    fake = slack["fake"]
    slash_command(slack["events"], SECRET, "/rkkp-broadcast", "", "UANNE", slack["respond"] + "modal")
    view = fake.wait_for("views.open")[0]["view"]
    block = next(b for b in view["blocks"] if b["block_id"] == "municipal_deadline")
    assert block["optional"] is True and block["element"]["type"] == "datepicker"

    code, body = submit(slack, "V2", municipal_deadline={"selected_date": "2026-12-16"})
    assert code == 200 and body["response_action"] == "errors"
    assert list(body["errors"]) == ["municipal_deadline"]
    assert "16. december 2026" in body["errors"]["municipal_deadline"]
    assert api(slack, "GET", "/api/broadcasts")[1] == []
    submit(slack, "V3", municipal_deadline={"selected_date": "2026-12-01"})
    wait_until(lambda: api(slack, "GET", "/api/broadcasts")[1])
    assert api(slack, "GET", "/api/broadcasts/1")[1]["municipal_deadline"] == "2026-12-01"


def test_report_and_closing_in_slack_account_for_every_municipality(slack):
    submit(slack)
    wait_until(lambda: region(slack, "1082")["state"] == "sent")
    api(slack, "POST", "/api/broadcasts/1/forward", {"region": "Midtjylland"})
    wait_until(lambda: region(slack, "1082")["municipalities"]["reached"] == 1)
    api(slack, "POST", "/api/hearings/1/replies", {"region": "1082", "municipality": "Viborg", "text": "Enig."})

    report = command(slack, "/rkkp-report", "1", "report")
    assert ("Kommuner: 98 i alt – 1 har svaret, 0 modtaget uden svar, 18 uden kontaktperson, 0 ikke leveret, "
            "79 ikke sendt videre af regionen") in report

    wait_until(lambda: {r["state"] for r in api(slack, "GET", "/api/broadcasts/1")[1]["regions"]} == {"sent"})
    closed = command(slack, "/rkkp-close", "1 De endelige indikatorer er 1-4.", "close")
    assert "Høring #1 er afsluttet" in closed
    assert "Ikke sendt videre til kommunerne: Region Nordjylland, Region Syddanmark, Region Hovedstaden, " \
           "Region Sjælland" in closed
    assert "Kommuner uden kontaktperson: 18" in closed
