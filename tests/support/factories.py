"""Test factories: the situations many tests start from, made through the
real handlers (so they hold only states the code really writes)."""

from __future__ import annotations

from handlers import ack_tokens, broadcasts, deliveries, forwarding
from handlers.directory_admin import set_municipality_contact
from tests.conftest import NOW

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}


def sent_all(store) -> None:
    """Record every due delivery as sent by e-mail."""
    for item in deliveries.claim_due(store, NOW, ack_tokens.server_secret(store)):
        deliveries.record_sent(store, item, "email", {}, NOW)


def forwarded_hearing(store) -> dict:
    """A hearing sent to the five regions and forwarded by Midtjylland,
    where Viborg has a contact (Bo Ek); returns its status."""
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    sent_all(store)
    forwarding.forward(store, status["id"], "1082", NOW, by="Jonas")
    sent_all(store)
    return status


KKR_ON_SLACK = {"UPETER": "php@aalborg.dk", "UJONAS": "jt@viborg.dk", "UMIA": "mima@haderslev.dk",
                "ULISE": "lht@kl.dk"}


def slack_dispatcher_after_a_failed_try(store, db_path, fake):
    """An info broadcast whose five notices' first post to ``fake`` (the fake
    Slack, with the KKR and KL contacts as users) failed: returns the
    dispatcher and its clock, so that the next try may have been posted."""
    from api.config import Settings
    from bot.slack import web_client
    from bot.web import build_dispatcher
    from tests.support.servers import Clock

    broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt"}, by="Anne", now=NOW)
    for user, email in KKR_ON_SLACK.items():
        fake.add_user(user, email)
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret="s",
                        slack_api_url=fake.url + "/api/")
    clock = Clock(NOW)
    dispatcher = build_dispatcher(store, settings, clock, web_client(settings))
    fake.script("chat.postMessage", 200, {"ok": False, "error": "internal_error"}, times=5)
    assert dispatcher.run_once() == 5
    return dispatcher, clock
