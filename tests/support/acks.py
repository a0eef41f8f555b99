"""An e-mailed acknowledgement link, as a KKR contact receives it."""

from __future__ import annotations

from handlers import ack_tokens, broadcasts, deliveries

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}


def ack_path(store, now, region: str = "1082") -> str:
    """``/ack/<token>`` of the tier-1 delivery of a new hearing to ``region``,
    sent by e-mail."""
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=now)
    secret = ack_tokens.server_secret(store)
    sent = {}
    for item in deliveries.claim_due(store, now, secret):
        deliveries.record_sent(store, item, "email", {}, now)
        sent[item.region] = item.delivery_id
    return "/ack/" + ack_tokens.make(secret, status["id"], sent[region])
