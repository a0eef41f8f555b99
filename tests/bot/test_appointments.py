"""Appointing DHRD's municipal representatives through all five steps, over
the API, e-mail (a real SMTP server, the link followed over HTTP) and Slack."""

import re
import time

import pytest

from api.config import Settings
from bot.render.appointments import APPOINTEE_MODAL, REQUEST_MODAL
from bot.render.deliveries import ACK, APPOINT_FORWARDED, APPOINTEE
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
REQUEST = {"disease_area": "Hjerterehabilitering", "representatives": 5, "chair": True,
           "competencies": "Fysioterapeut, sygeplejerske eller leder med kvalitetserfaring",
           "next_meeting": "2027-01-14"}
PEOPLE = [("Nordjylland", "Nina Nord", "nn@aalborg.dk"), ("Midtjylland", "Mads Midt", "mm@viborg.dk"),
          ("Syddanmark", "Sara Syd", "ss@vejle.dk"), ("Hovedstaden", "Hans Hoved", "hh@kk.dk")]


@pytest.fixture
def world(store, db_path):
    with smtp_server() as (mailbox, smtp_url), fake_slack() as fake:
        port = free_port()
        settings = Settings(db_path=str(db_path), smtp_url=smtp_url, public_url=f"http://127.0.0.1:{port}",
                            dispatch_interval=0.2, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",))
        app = create_web_app(settings, store=store, clock=Clock(NOW))
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        with serve_in_thread(app, port) as base:
            yield {"base": base, "mail": mailbox, "fake": fake, "auth": {"Authorization": f"Bearer {token}"}}
        app.config["DISPATCHER"].stop()


def api(world, method, path, body=None):
    return call(method, world["base"] + path, body, world["auth"])


def form(world, url, fields):
    import urllib.parse

    return call("POST", url, urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})


def test_a_full_appointment_for_dhrd(world):
    # 1. The consultant opens the request.
    code, opened = api(world, "POST", "/api/databases/dhrd/appointments", REQUEST)
    assert code == 201 and opened["open_seats"] == 5 and opened["chair_open"] is True
    request_id = opened["id"]
    assert [r["id"] for r in api(world, "GET", "/api/appointments")[1]] == [request_id]

    # 2. KL gets it by e-mail, opens the link, acknowledges and marks it forwarded to the KKRs.
    to_kl = world["mail"].wait_for(1)[0]
    assert to_kl["To"].addresses[0].addr_spec == "lht@kl.dk"
    text = to_kl.get_body(("plain",)).get_content()
    assert "5 kommunale repræsentanter og en kommunal formand" in text
    assert "Dansk Hjerterehabiliteringsdatabase" in text
    link = re.search(r"(http://\S+/ack/\S+)", text).group(1)
    code, page = call("GET", link)
    assert code == 200 and "Markér som sendt videre til KKR" in page and 'name="workplace"' in page
    assert call("POST", link, b"")[0] == 200
    assert "Markeret som sendt videre til KKR" in call("POST", link + "/kkr", b"")[1]
    state = api(world, "GET", f"/api/appointments/{request_id}")[1]
    assert state["sent_to_kl"]["state"] == "acknowledged" and state["forwarded_to_kkr_at"]

    # 3. KL returns appointees; a bad e-mail and a bad phone are refused and change nothing.
    bad_email = form(world, link + "/appointee", {"name": "X", "email": "x@@aalborg", "region": "1081"})
    assert bad_email[0] == 422 and "x@@aalborg" in bad_email[1]
    bad_phone = api(world, "POST", f"/api/appointments/{request_id}/appointees",
                    {"name": "X", "email": "x@aalborg.dk", "phone": "12 34", "region": "Nordjylland"})
    assert bad_phone[0] == 422 and bad_phone[1]["field"] == "phone"
    assert api(world, "GET", f"/api/appointments/{request_id}")[1]["appointees"] == []
    for region, name, email in PEOPLE[:2]:
        code, _ = form(world, link + "/appointee", {"name": name, "title": "Fysioterapeut", "workplace": "Kommunen",
                                                   "email": email, "phone": "12345678", "region": region})
        assert code == 200
    for region, name, email in PEOPLE[2:]:
        code, _ = api(world, "POST", f"/api/appointments/{request_id}/appointees",
                      {"name": name, "email": email, "phone": "+45 87 65 43 21", "region": region})
        assert code == 201

    # 4. Each appointee is welcomed and is on the roster.
    world["mail"].wait_for(1 + 4)
    welcome = world["mail"].to("mm@viborg.dk")[0].get_body(("plain",)).get_content()
    assert "Velkommen til styregruppen for Dansk Hjerterehabiliteringsdatabase" in welcome
    assert "Næste møde: 14. januar 2027" in welcome and "Nina Nord" in welcome and "Anne Nakano" in welcome
    assert welcome.count("hilsen") == 1  # signed by the consultant alone
    roster = api(world, "GET", "/api/databases/DHRD/steering-group")[1]
    assert roster["filled"] == 4 and roster["complete"] is False
    assert roster["regions_without_representative"] == ["Region Sjælland"]
    assert {m["phone"] for m in roster["representatives"]} == {"+45 12 34 56 78", "+45 87 65 43 21"}

    # A roster of 4 without justification is reported incomplete, in Slack too.
    slash_command(world["base"] + "/slack/events", SECRET, "/kkr", "reps DHRD", "U1", world["fake"].url + "/response/r")
    text = world["fake"].wait_for("response_url")[0]["text"]
    assert "4 af 5 kommunale repræsentanter" in text and "Mangler repræsentant fra: Region Sjælland" in text
    assert "Styregruppen er ikke fuldtallig" in text

    # 5. The last seat and the chair complete the request.
    api(world, "POST", f"/api/appointments/{request_id}/appointees",
        {"name": "Sif Sjæl", "email": "sif@roskilde.dk", "region": "1085"})
    done = api(world, "POST", f"/api/appointments/{request_id}/appointees",
               {"name": "Carl Chair", "email": "cc@odense.dk", "region": "1083", "chair": True})[1]
    assert done["complete"] is True and done["open_seats"] == 0 and done["chair_open"] is False
    assert api(world, "GET", "/api/appointments")[1] == []  # none left open
    roster = api(world, "GET", "/api/databases/DHRD/steering-group")[1]
    assert roster["complete"] and roster["chair"]["name"] == "Carl Chair"
    assert api(world, "POST", f"/api/appointments/{request_id}/appointees",
               {"name": "Late", "email": "l@x.dk", "region": "1081"})[0] == 409
    world["mail"].wait_for(1 + 6)
    time.sleep(0.3)
    assert len(world["mail"].to("cc@odense.dk")) == 1


def test_a_justification_makes_a_short_roster_acceptable(world):
    assert api(world, "GET", "/api/databases/DHRD/steering-group")[1]["complete"] is False
    code, roster = api(world, "PUT", "/api/databases/DHRD/justification",
                       {"justification": "DHRD ønsker 3 repræsentanter, da forløbene er ens på tværs af regioner."})
    assert code == 200 and roster["complete"] is True and roster["justification"].startswith("DHRD ønsker")
    assert api(world, "GET", "/api/databases/NOPE/steering-group")[0] == 404


def test_reporting_municipalities(world):
    code, saved = api(world, "POST", "/api/databases/DHRD/reporting-municipalities", {"municipality": "Viborg"})
    assert code == 201 and saved["obliged"] is False
    code, saved = api(world, "POST", "/api/databases/DHRD/reporting-municipalities",
                      {"municipality": "0791", "sds_notified": "2026-12-01"})
    assert saved["obliged"] is True and saved["sds_notified"] == "2026-12-01"
    mid = api(world, "GET", "/api/databases/DHRD/reporting-municipalities?region=Midtjylland")[1]["regions"]
    assert len(mid) == 1 and [r["municipality"] for r in mid[0]["reporting"]] == ["Viborg"]
    assert len(mid[0]["not_reporting"]) == 18 and "Aarhus" in mid[0]["not_reporting"]
    assert api(world, "POST", "/api/databases/DHRD/reporting-municipalities",
               {"municipality": "Viborg", "sds_notified": "1/12"})[0] == 422


def submit_view(world, user, callback_id, values, metadata=""):
    payload = view_submission(user, callback_id, {}, private_metadata=metadata)
    payload["view"]["state"]["values"] = {block: {"value": value} for block, value in values.items()}
    return interaction(world["base"] + "/slack/events", SECRET, payload)


def test_the_appointment_through_slack(world):
    fake, events = world["fake"], world["base"] + "/slack/events"
    fake.add_user("ULISE", "lht@kl.dk")
    fake.add_user("UMADS", "mm@viborg.dk")
    assert "Kun RKKP's konsulenter" in slash_command(events, SECRET, "/rkkp-appoint", "DHRD", "UBO",
                                                     fake.url + "/response/bo")[1]["text"]
    slash_command(events, SECRET, "/rkkp-appoint", "DHRD", "UANNE", fake.url + "/response/anne")
    modal = fake.wait_for("views.open")[0]["view"]
    assert modal["callback_id"] == REQUEST_MODAL and modal["private_metadata"] == "DHRD"
    code, body = submit_view(world, "UANNE", REQUEST_MODAL, {
        "disease_area": {"value": "Hjerterehabilitering"}, "representatives": {"selected_option": {"value": "1"}},
        "justification": {"value": "Én repræsentant dækker forløbet, der er ens i alle regioner."},
        "competencies": {"value": "Fysioterapeut"}, "chair": {"selected_options": []},
        "next_meeting": {"selected_date": "2027-01-14"}}, metadata="DHRD")
    assert code == 200 and not body

    to_lise = wait_until(lambda: [m for m in fake.of("chat.postMessage") if m["channel"] == "ULISE"])[0]
    values = {e["action_id"]: e["value"] for b in to_lise["blocks"] for e in b.get("elements", [])}
    assert set(values) == {ACK, APPOINT_FORWARDED, APPOINTEE}
    request_id = int(values[APPOINT_FORWARDED].split(":")[0])
    # The buttons are Lise's once the store has recorded the message as sent to her.
    wait_until(lambda: api(world, "GET", f"/api/appointments/{request_id}")[1]["sent_to_kl"]["state"] == "sent")
    respond = fake.url + "/response/lise"
    interaction(events, SECRET, block_action("UMADS", APPOINT_FORWARDED, values[APPOINT_FORWARDED], respond))
    assert "Kun KL's kontaktperson" in fake.wait_for("response_url")[0]["text"]
    interaction(events, SECRET, block_action("ULISE", ACK, values[ACK], respond))
    interaction(events, SECRET, block_action("ULISE", APPOINT_FORWARDED, values[APPOINT_FORWARDED], respond))
    fake.wait_for("response_url", 3)
    state = api(world, "GET", f"/api/appointments/{request_id}")[1]
    assert state["sent_to_kl"]["state"] == "acknowledged" and state["forwarded_to_kkr_at"]

    interaction(events, SECRET, block_action("ULISE", APPOINTEE, values[APPOINTEE], respond))
    modal = fake.wait_for("views.open", 2)[1]["view"]
    assert modal["callback_id"] == APPOINTEE_MODAL
    person = {"name": {"value": "Mads Midt"}, "title": {"value": "Fysioterapeut"}, "workplace": {"value": "Viborg"},
              "email": {"value": "mm@viborg.dk"}, "phone": {"value": "1234"},
              "region": {"selected_option": {"value": "1082"}}, "chair": {"selected_options": []}}
    code, body = submit_view(world, "ULISE", APPOINTEE_MODAL, person, metadata=modal["private_metadata"])
    assert code == 200 and body["response_action"] == "errors" and "phone" in body["errors"]
    person["phone"] = {"value": "87 87 87 87"}
    code, body = submit_view(world, "ULISE", APPOINTEE_MODAL, person, metadata=modal["private_metadata"])
    assert code == 200 and not body
    state = api(world, "GET", f"/api/appointments/{request_id}")[1]
    assert state["complete"] and state["appointees"][0]["phone"] == "+45 87 87 87 87"
    welcome = wait_until(lambda: [m for m in fake.of("chat.postMessage") if m["channel"] == "UMADS"])[0]
    assert "Velkommen til styregruppen for Dansk Hjerterehabiliteringsdatabase" in welcome["blocks"][1]["text"]["text"]
