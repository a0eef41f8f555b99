"""The playbook's rules for a steering group's municipal representatives
("Udpegning af kommunale repræsentanter", Bilag 1) as KL, the consultant
and the appointees see them over e-mail (a real SMTP server, the e-mailed
page over HTTP), the API and Slack (the fake Web API on loopback): one
representative per region, a weighty justification for fewer than five, a
chair with a management background, the database's unknown codes refused,
and messages that say who at RKKP asks (Reply-To) and sign off once."""

import re
import time
import urllib.parse

import pytest

from api.config import Settings
from bot.render.appointments import APPOINTEE_MODAL, REQUEST_MODAL
from bot.render.deliveries import APPOINTEE, MODAL
from bot.web import create_web_app
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import Clock, serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, interaction, slash_command, view_submission
from tests.support.smtp import free_port, smtp_server
from tests.support.waiting import wait_until

SECRET = "signing-secret"
# A comma in the display name: one Reply-To address all the same.
CONSULTANT = {"name": "Nakano, Anne", "email": "anne.nakano@rkkp.dk"}
REQUEST = {"disease_area": "Hjerterehabilitering", "competencies": "Fysioterapeut eller sygeplejerske",
           "next_meeting": "2027-01-14"}
JUSTIFICATION = "Forløbene er ens i de tre regioner, der i dag indberetter; tre repræsentanter dækker dem."


@pytest.fixture
def world(store, db_path):
    with smtp_server() as (mailbox, smtp_url), fake_slack() as fake:
        port = free_port()
        settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}",
                            dispatch_interval=0.2, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",))
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        admin, _ = create_token(store, "admin", "Admin", NOW)
        with serve_in_thread(app, port) as base:
            world = {"base": base, "mail": mailbox, "fake": fake, "events": base + "/slack/events",
                     "auth": {"Authorization": f"Bearer {token}"}, "admin": {"Authorization": f"Bearer {admin}"}}
            # DHRD's responsible consultant, who asks KL (checked by the first test).
            api(world, "PUT", "/api/databases/DHRD", {"consultant": CONSULTANT}, "admin")
            yield world
        app.config["DISPATCHER"].stop()


def api(world, method, path, body=None, who="auth"):
    return call(method, world["base"] + path, body, world[who])


def form(url, fields):
    return call("POST", url, urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})


def reply_to(message):
    address = message["Reply-To"].addresses
    return [(a.display_name, a.addr_spec) for a in address]


def person(region, name, email, chair=False):
    return {"name": name, "title": "Fysioterapeut", "workplace": "Kommunen", "email": email, "region": region,
            "chair": chair}


def test_the_request_and_the_welcome_say_who_at_rkkp_asks(world):
    assert api(world, "GET", "/api/databases")[1][0]["consultant"] == CONSULTANT
    code, opened = api(world, "POST", "/api/databases/DHRD/appointments",
                       {**REQUEST, "representatives": 5, "chair": True})
    assert code == 201
    to_kl = world["mail"].wait_for(1)[0]
    text = to_kl.get_body(("plain",)).get_content()
    assert reply_to(to_kl) == [("Nakano, Anne", "anne.nakano@rkkp.dk")]
    assert "Nakano, Anne (anne.nakano@rkkp.dk)" in text
    assert "ledelsesbaggrund" in text  # the chair, as the playbook asks
    assert len(re.findall("hilsen", text, re.IGNORECASE)) == 1  # one sign-off

    api(world, "POST", f"/api/appointments/{opened['id']}/appointees",
        person("Nordjylland", "Nina Nord", "nn@aalborg.dk"))
    api(world, "POST", f"/api/appointments/{opened['id']}/appointees",
        person("Midtjylland", "Mads Midt", "mm@viborg.dk"))
    world["mail"].wait_for(3)
    welcome = world["mail"].to("mm@viborg.dk")[0]
    text = " ".join(welcome.get_body(("plain",)).get_content().split())
    assert reply_to(welcome) == [("Nakano, Anne", "anne.nakano@rkkp.dk")]
    assert "kommunal repræsentant for Region Midtjylland" in text
    assert "repræsentere alle kommuner i regionen" in text and "alle styregruppens møder" in text
    assert "Nina Nord" in text and "anne.nakano@rkkp.dk" in text
    assert len(re.findall("hilsen", text, re.IGNORECASE)) == 1 and re.search("hilsen Nakano, Anne RKKP$", text)


def test_without_a_responsible_consultant_the_one_who_asked_signs_once(world):
    api(world, "PUT", "/api/databases/DHRD", {"consultant": None}, "admin")
    code, opened = api(world, "POST", "/api/databases/DHRD/appointments", {**REQUEST, "representatives": 5})
    assert code == 201
    api(world, "POST", f"/api/appointments/{opened['id']}/appointees", person("Syddanmark", "Sara Syd", "ss@vejle.dk"))
    world["mail"].wait_for(2)
    welcome = world["mail"].to("ss@vejle.dk")[0]
    text = " ".join(welcome.get_body(("plain",)).get_content().split())
    assert len(re.findall("hilsen", text, re.IGNORECASE)) == 1 and re.search("hilsen Anne Nakano RKKP$", text)
    assert welcome["Reply-To"] is None  # no address is made up


def test_one_representative_per_region(world):
    code, opened = api(world, "POST", "/api/databases/DHRD/appointments", {**REQUEST, "representatives": 5})
    request_id = opened["id"]
    link = re.search(r"(http://\S+/ack/\S+)", world["mail"].wait_for(1)[0].get_body(("plain",)).get_content()).group(1)
    assert form(link + "/appointee", person("Nordjylland", "Nina Nord", "nn@aalborg.dk"))[0] == 200

    # A second representative for the region: refused on the e-mailed page and over the API.
    code, page = form(link + "/appointee", person("1081", "Per Paulsen", "pp@hjoerring.dk"))
    assert code == 409 and "Region Nordjylland har allerede en kommunal repræsentant" in page
    assert "Nina Nord" in page
    code, body = api(world, "POST", f"/api/appointments/{request_id}/appointees",
                     person("Nordjylland", "Per Paulsen", "pp@hjoerring.dk"))
    assert code == 409 and body["field"] == "region"
    roster = api(world, "GET", "/api/databases/DHRD/steering-group")[1]
    assert [m["name"] for m in roster["representatives"]] == ["Nina Nord"] and roster["complete"] is False
    assert api(world, "GET", f"/api/appointments/{request_id}")[1]["open_seats"] == 4

    # The chair is not a region's seat; four more regions complete the roster.
    chair = person("Nordjylland", "Carl Chair", "cc@aalborg.dk", chair=True)
    assert api(world, "POST", f"/api/appointments/{request_id}/appointees", chair)[0] == 201
    for region, name, email in [("Midtjylland", "Mads Midt", "mm@viborg.dk"), ("Syddanmark", "Sara Syd", "ss@vejle.dk"),
                                ("Hovedstaden", "Hans Hoved", "hh@kk.dk"), ("Sjælland", "Sif Sjæl", "sif@roskilde.dk")]:
        assert api(world, "POST", f"/api/appointments/{request_id}/appointees", person(region, name, email))[0] == 201
    roster = api(world, "GET", "/api/databases/DHRD/steering-group")[1]
    assert roster["filled"] == 5 and roster["regions_without_representative"] == [] and roster["complete"] is True


def test_fewer_than_five_needs_a_justification_sent_to_kl(world):
    code, body = api(world, "POST", "/api/databases/DHRD/appointments", {**REQUEST, "representatives": 3})
    assert code == 422 and body["field"] == "justification" and "vægtig begrundelse" in body["error"]
    time.sleep(0.5)
    assert world["mail"].messages == [] and api(world, "GET", "/api/appointments")[1] == []

    code, opened = api(world, "POST", "/api/databases/DHRD/appointments",
                       {**REQUEST, "representatives": 3, "justification": JUSTIFICATION})
    assert code == 201 and opened["justification"] == JUSTIFICATION
    text = " ".join(world["mail"].wait_for(1)[0].get_body(("plain",)).get_content().split())
    assert JUSTIFICATION in text and "ledelsesbaggrund" not in text  # no chair asked for
    for region, name, email in [("Midtjylland", "Mads Midt", "mm@viborg.dk"), ("Syddanmark", "Sara Syd", "ss@vejle.dk"),
                                ("Nordjylland", "Nina Nord", "nn@aalborg.dk")]:
        api(world, "POST", f"/api/appointments/{opened['id']}/appointees", person(region, name, email))
    assert api(world, "GET", f"/api/appointments/{opened['id']}")[1]["complete"] is True
    roster = api(world, "GET", "/api/databases/DHRD/steering-group")[1]
    assert roster["filled"] == 3 and roster["complete"] is True and roster["justification"] == JUSTIFICATION


def submit_view(world, user, callback_id, values, metadata=""):
    payload = view_submission(user, callback_id, {}, private_metadata=metadata)
    payload["view"]["state"]["values"] = {block: {"value": value} for block, value in values.items()}
    return interaction(world["events"], SECRET, payload)


def test_slack_refuses_unknown_databases_a_short_request_without_reason_and_a_second_representative(world):
    fake, events = world["fake"], world["events"]
    fake.add_user("ULISE", "lht@kl.dk")
    code, body = submit_view(world, "UANNE", MODAL, {
        "kind": {"selected_option": {"value": "info"}}, "database": {"value": "DHDR"},
        "title": {"value": "Årsrapport"}, "link": {"value": None}, "body": {"value": None},
        "deadline": {"selected_date": None}})
    assert code == 200 and body["response_action"] == "errors" and "DHRD" in body["errors"]["database"]

    slash_command(events, SECRET, "/rkkp-appoint", "DHDR", "UANNE", fake.url + "/response/anne")
    assert "Mente du: DHRD" in fake.wait_for("response_url")[0]["text"] and fake.of("views.open") == []

    values = {"disease_area": {"value": "Hjerterehabilitering"}, "representatives": {"selected_option": {"value": "2"}},
              "justification": {"value": None}, "competencies": {"value": None}, "chair": {"selected_options": []},
              "next_meeting": {"selected_date": None}}
    code, body = submit_view(world, "UANNE", REQUEST_MODAL, values, metadata="DHRD")
    assert body["response_action"] == "errors" and "justification" in body["errors"]
    values["justification"] = {"value": JUSTIFICATION}
    code, body = submit_view(world, "UANNE", REQUEST_MODAL, values, metadata="DHRD")
    assert code == 200 and not body

    to_lise = wait_until(lambda: [m for m in fake.of("chat.postMessage") if m["channel"] == "ULISE"])[0]
    assert JUSTIFICATION in to_lise["blocks"][1]["text"]["text"]
    assert "anne.nakano@rkkp.dk" in to_lise["blocks"][1]["text"]["text"]
    value = next(e["value"] for b in to_lise["blocks"] for e in b.get("elements", []) if e["action_id"] == APPOINTEE)
    request_id = int(value.split(":")[0])
    wait_until(lambda: api(world, "GET", f"/api/appointments/{request_id}")[1]["sent_to_kl"]["state"] == "sent")
    interaction(events, SECRET, block_action("ULISE", APPOINTEE, value, fake.url + "/response/lise"))
    metadata = fake.wait_for("views.open")[0]["view"]["private_metadata"]

    def appointee(name, email):
        return {"name": {"value": name}, "title": {"value": None}, "workplace": {"value": None},
                "email": {"value": email}, "phone": {"value": None},
                "region": {"selected_option": {"value": "1082"}}, "chair": {"selected_options": []}}

    code, body = submit_view(world, "ULISE", APPOINTEE_MODAL, appointee("Mads Midt", "mm@viborg.dk"), metadata)
    assert code == 200 and not body
    code, body = submit_view(world, "ULISE", APPOINTEE_MODAL, appointee("Anders And", "aa@aarhus.dk"), metadata)
    assert body["response_action"] == "errors" and "Mads Midt" in body["errors"]["region"]
    assert [a["name"] for a in api(world, "GET", f"/api/appointments/{request_id}")[1]["appointees"]] == ["Mads Midt"]
