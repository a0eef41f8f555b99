"""Unguessable per-delivery links for e-mail acknowledgements.

A token names its delivery and carries an HMAC of that name under a secret
the store keeps, so nothing per delivery has to be stored and a token cannot
be made up or moved to another delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from handlers.errors import NotFound

AUTH = "auth"
_TOKEN = re.compile(r"^(\d+)-(\d+)-([0-9a-f]{32})$")


def server_secret(store) -> bytes:
    with store.read(AUTH) as view:
        found = view.get("secrets", 1)
    if found is None:
        with store.write(AUTH) as tx:
            found = tx.get("secrets", 1) or tx.put("secrets", 1, {"ack": secrets.token_hex(32)})
    return bytes.fromhex(found["ack"])


def make(secret: bytes, broadcast_id: int, delivery_id: int) -> str:
    return f"{broadcast_id}-{delivery_id}-{_mac(secret, broadcast_id, delivery_id)}"


def read(secret: bytes, token: str) -> tuple[int, int]:
    """The (broadcast, delivery) a token is for, or ``NotFound``."""
    match = _TOKEN.match(token or "")
    if match:
        broadcast_id, delivery_id = int(match[1]), int(match[2])
        if hmac.compare_digest(match[3], _mac(secret, broadcast_id, delivery_id)):
            return broadcast_id, delivery_id
    raise NotFound("ack.unknown_link")


def _mac(secret: bytes, broadcast_id: int, delivery_id: int) -> str:
    return hmac.new(secret, f"{broadcast_id}/{delivery_id}".encode(), hashlib.sha256).hexdigest()[:32]
