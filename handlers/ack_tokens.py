"""Unguessable per-delivery links for e-mail acknowledgements.

A token names its delivery and carries an HMAC of that name under a secret
the store keeps, so nothing per delivery has to be stored and a token cannot
be made up or moved to another delivery.  The name says which kind of
record the delivery belongs to: ``12-3-…`` is delivery 3 of broadcast 12,
``a12-3-…`` delivery 3 of appointment request 12, ``d202713-3-…`` delivery 3
of the digest of week 13 of 2027, and the HMAC covers the
kind, so one cannot be turned into the other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from handlers.collections import APPOINTMENTS, BROADCASTS, DIGESTS
from handlers.errors import NotFound

AUTH = "auth"
_TOKEN = re.compile(r"^([ad]?)(\d+)-(\d+)-([0-9a-f]{32})$")
_PREFIX = {BROADCASTS.name: "", APPOINTMENTS.name: "a", DIGESTS.name: "d"}
_KIND = {prefix: kind for kind, prefix in _PREFIX.items()}


def server_secret(store) -> bytes:
    with store.read(AUTH) as view:
        found = view.get("secrets", 1)
    if found is None:
        with store.write(AUTH) as tx:
            found = tx.get("secrets", 1) or tx.put("secrets", 1, {"ack": secrets.token_hex(32)})
    return bytes.fromhex(found["ack"])


def make(secret: bytes, record_id: int, delivery_id: int, collection: str = "broadcast") -> str:
    return f"{_PREFIX[collection]}{record_id}-{delivery_id}-{_mac(secret, collection, record_id, delivery_id)}"


def read(secret: bytes, token: str) -> tuple[str, int, int]:
    """The (collection, record, delivery) a token is for, or ``NotFound``."""
    match = _TOKEN.match(token or "")
    if match:
        collection, record_id, delivery_id = _KIND[match[1]], int(match[2]), int(match[3])
        if hmac.compare_digest(match[4], _mac(secret, collection, record_id, delivery_id)):
            return collection, record_id, delivery_id
    raise NotFound("ack.unknown_link")


def _mac(secret: bytes, collection: str, record_id: int, delivery_id: int) -> str:
    # A broadcast's name is the one links carried before appointments had their own ids.
    name = f"{record_id}/{delivery_id}" if collection == "broadcast" else f"{collection}:{record_id}/{delivery_id}"
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:32]
