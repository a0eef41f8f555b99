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
