"""One rule per act, alike in Slack, the API and the e-mailed pages: signed
requests to a served app whose Slack is the fake on loopback, API calls with
tokens of each role, and the ``/ack/<token>`` pages over HTTP."""

import html
import itertools
import urllib.parse

import pytest

from api.config import Settings
from bot.render.deliveries import ACK, APPOINT_FORWARDED, APPOINTEE, FORWARD, REPLY
from bot.slack_access import Requires
from bot.web import create_web_app
from handlers import ack_tokens, appointments, broadcasts, deliveries, forwarding
from handlers.directory_admin import set_municipality_contact
from handlers.directory_csv import import_csv
from handlers.i18n import t
from handlers.permissions import RULES, Act
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import block_action, interaction, slash_command
from tests.support.waiting import wait_until

SECRET = "signing-secret"
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Indikatorer", "deadline": "2026-12-15"}
IN_SLACK = {"jt@viborg.dk": "UJONAS", "lht@kl.dk": "ULISE"}
_answers = itertools.count()


def send_everything(store) -> None:
    """Record every due delivery as sent: by Slack to the users of
    ``IN_SLACK``, else by e-mail."""
    for item in deliveries.claim_due(store, NOW, ack_tokens.server_secret(store)):
        user = IN_SLACK.get(item.recipient["email"])
        deliveries.record_sent(store, item, "slack" if user else "email", {"user": user} if user else {}, NOW)


@pytest.fixture
def world(store, db_path):
    """Hearing #1 sent (Jonas, KKR Midtjylland, in Slack) and forwarded to
    Viborg (Bo, by e-mail); appointment request #1 sent to Lise (KL, Slack)."""
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    send_everything(store)
    forwarding.forward(store, 1, "1082", NOW, by="Jonas Thor Björnson")
    appointments.open_request(store, "DHRD", {"disease_area": "Hjerte"}, NOW, "Anne Nakano")
    send_everything(store)
    secret = ack_tokens.server_secret(store)
    with store.read(broadcasts.part_of(1)) as view:
        viborg = view.find("deliveries", tier=2)[0]["id"]
    with store.read(appointments.part_of(1)) as view:
        to_kl = view.find("deliveries", tier=0)[0]["id"]
    tokens = {role: {"Authorization": "Bearer " + create_token(store, role, f"test {role}", NOW)[0]}
              for role in ("reader", "consultant", "admin")}
    with fake_slack() as fake:
        for user, email in [("UJONAS", "jt@viborg.dk"), ("ULISE", "lht@kl.dk"), ("UANNE", "anne@rkkp.dk"),
                            ("UKIM", "kim@example.dk")]:
            fake.add_user(user, email)
        settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                            slack_api_url=fake.url + "/api/", consultants=("UANNE",))
        app = create_web_app(settings, store=store, clock=lambda: NOW, dispatch=False)
        with serve_in_thread(app) as base:
            yield {"app": app, "fake": fake, "base": base, "events": base + "/slack/events", "tokens": tokens,
                   "respond": fake.url + "/response/", "to_kl": f"1:{to_kl}",
                   "links": {"tier 2": ack_tokens.make(secret, 1, viborg), "hearing": ack_tokens.make(secret, 1, 2),
                             "to kl": ack_tokens.make(secret, 1, to_kl, "appointment")}}


def command(world, user, name, text=""):
    """A slash command's answer: in its ack, or else through its response_url."""
    answer_to = f"a{next(_answers)}"
    code, body = slash_command(world["events"], SECRET, name, text, user, world["respond"] + answer_to)
    assert code == 200
    if isinstance(body, dict) and body.get("text"):
        return body["text"]
    return wait_until(lambda: _responses(world, answer_to), what=f"{name} answered")[-1]["text"]


def press(world, user, action_id, value):
    """A button's answer through its response_url."""
    answer_to = f"a{next(_answers)}"
    interaction(world["events"], SECRET, block_action(user, action_id, value, world["respond"] + answer_to))
    return wait_until(lambda: _responses(world, answer_to), what=f"{action_id} answered")[-1]["text"]


def _responses(world, name):
    return [c for c in world["fake"].of("response_url") if c["name"] == name]


def api(world, role, method, path, body=None):
    return call(method, world["base"] + path, body, world["tokens"][role])


def page(world, link, action, fields=None):
    """POST the form of an e-mailed page; the page as text."""
    code, text = call("POST", f"{world['base']}/ack/{world['links'][link]}" + (f"/{action}" if action else ""),
                      urllib.parse.urlencode(fields or {}).encode(),
                      {"Content-Type": "application/x-www-form-urlencoded"})
    return code, html.unescape(text)


def refusal(key):
    return {"error": t(key, "da")}


@pytest.mark.parametrize("key, slack, route", [
    ("permission.read_report", ("/rkkp-report", "1"), ("GET", "/api/hearings/1/report", None)),
    ("broadcast.consultants_only", ("/rkkp-broadcast", ""), ("POST", "/api/broadcasts", HEARING)),
    ("permission.close_hearing", ("/rkkp-close", "1 Tak for svarene"),
     ("POST", "/api/hearings/1/close", {"message": "Tak for svarene"})),
    ("permission.appoint", ("/rkkp-appoint", "DHRD"),
     ("POST", "/api/databases/DHRD/appointments", {"disease_area": "Hjerte"})),
])
def test_a_slack_user_who_is_no_consultant_is_refused_like_a_reader_token(world, key, slack, route):
    assert command(world, "UKIM", *slack) == t(key, "da")
    assert api(world, "reader", *route) == (403, refusal(key))


def test_the_report_is_the_consultants_in_slack_as_in_the_api(world):
    assert "Høringsrapport" in command(world, "UANNE", "/rkkp-report", "1")
    assert api(world, "consultant", "GET", "/api/hearings/1/report")[0] == 200


def test_a_directory_consultant_is_known_in_slack_by_the_e_mail_of_their_profile(world, store):
    import_csv(store, "role,place,name,email\nconsultant,,Carl Berg,carl@rkkp.dk\n", NOW)
    world["fake"].add_user("UCARL", "carl@rkkp.dk")
    assert "Høringsrapport" in command(world, "UCARL", "/rkkp-report", "1")


def test_status_names_the_recipients_so_slack_shows_it_to_consultants_only(world):
    for wanted in ("1", ""):
        assert command(world, "UKIM", "/rkkp-status", wanted) == t("permission.read_status", "da")
    assert "Jonas Thor Björnson" in command(world, "UANNE", "/rkkp-status", "1")
    assert api(world, "reader", "GET", "/api/broadcasts/1")[0] == 200


def test_forwarding_is_the_kkr_contacts_or_a_consultants_everywhere(world):
    reason = t("forward.not_yours", "da")
    assert press(world, "UKIM", FORWARD, "1:1082") == reason
    assert api(world, "reader", "POST", "/api/broadcasts/1/forward", {"region": "1082"}) == (403, refusal(
        "forward.not_yours"))
    code, text = page(world, "tier 2", "forward")  # Bo, Viborg's contact, holds a municipality's link
    assert code == 403 and reason in text
    assert press(world, "UANNE", FORWARD, "1:1081") != reason  # a consultant, as in the API
    assert api(world, "consultant", "POST", "/api/broadcasts/1/forward", {"region": "1083"})[0] == 200
    regions = {r["region"]["code"]: r for r in api(world, "reader", "GET", "/api/broadcasts/1")[1]["regions"]}
    assert regions["1081"]["forwarded_at"] and regions["1083"]["forwarded_at"]


def test_only_the_recipient_acknowledges_or_replies(world):
    assert press(world, "UANNE", ACK, "1:2") == t("ack.not_yours", "da")  # a consultant is not Jonas
    assert press(world, "UANNE", REPLY, "1:2") == t("hearing.not_yours", "da")
    assert api(world, "reader", "POST", "/api/hearings/1/replies", {"region": "1082", "text": "Enig."}) == (
        403, refusal("permission.reply_for"))
    assert api(world, "consultant", "POST", "/api/hearings/1/replies", {"region": "1082", "text": "Enig."})[0] == 201
    assert "kvitteret" in press(world, "UJONAS", ACK, "1:2")
    code, text = page(world, "tier 2", "")  # Bo's own link
    assert code == 200 and t("ack.done", "da") in text


@pytest.mark.parametrize("act, action_id, route, key", [
    ("kkr", APPOINT_FORWARDED, "forwarded", "appointment.kl_only_forwarded"),
    ("appointee", APPOINTEE, "appointees", "appointment.kl_only"),
])
def test_kls_steps_are_kls_or_a_consultants_everywhere(world, act, action_id, route, key):
    assert press(world, "UKIM", action_id, world["to_kl"]) == t(key, "da")
    assert api(world, "reader", "POST", f"/api/appointments/1/{route}", {}) == (403, refusal(key))
    code, text = page(world, "hearing", act)  # a hearing's link is no appointment request
    assert code == 403 and t("permission.not_an_appointment", "da") in text
    assert t("forward.not_yours", "da") not in text


def test_kls_step_by_a_consultant_in_slack_as_in_the_api(world):
    assert press(world, "UANNE", APPOINT_FORWARDED, world["to_kl"]) == t("appointment.forwarded_done", "da")


def test_kls_own_link_to_an_appointment_request_admits_kls_steps(world):
    """The link of an appointment request's delivery names that request
    (``appointment:1/delivery:1``), not broadcast 1's delivery 1."""
    code, text = page(world, "to kl", "kkr")
    assert code == 200 and t("appointment.forwarded_done", "da") in text
    code, text = page(world, "to kl", "")
    assert code == 200 and t("ack.done", "da") in text
    assert api(world, "reader", "GET", "/api/appointments/1")[1]["sent_to_kl"]["state"] == "acknowledged"
    assert api(world, "reader", "GET", "/api/broadcasts/1")[1]["regions"][0]["state"] == "sent"


@pytest.mark.parametrize("role, method, path, body, key", [
    ("consultant", "PUT", "/api/regions/Midtjylland/contact", {"name": "X", "email": "x@viborg.dk"},
     "permission.edit_directory"),
    ("consultant", "GET", "/api/audit", None, "permission.read_audit"),
    ("reader", "PUT", "/api/databases/DHRD/justification", {"justification": "Nej"}, "permission.edit_steering"),
])
def test_an_api_refusal_names_the_act_and_who_may(world, role, method, path, body, key):
    assert api(world, role, method, path, body) == (403, refusal(key))


def test_every_act_has_a_rule_with_a_reason_in_both_languages():
    for act in Act:
        rule = RULES[act]
        assert t(rule.reason, "da") != rule.reason and t(rule.reason, "en") != t(rule.reason, "da")


def test_every_route_declares_its_act(world):
    app = world["app"]
    undeclared = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                  and not isinstance(getattr(app.view_functions[rule.endpoint], "act", None), Act)]
    assert undeclared == []
    assert "/slack/events" in {rule.rule for rule in app.url_map.iter_rules()}


def test_every_slack_listener_declares_its_act(world):
    listeners = world["app"].config["BOLT"]._listeners
    undeclared = [listener.ack_function.__name__ for listener in listeners
                  if not any(isinstance(m, Requires) for m in listener.middleware)]
    assert len(listeners) >= 17 and undeclared == []
