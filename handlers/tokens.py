"""API tokens: made once, shown once, stored only as a hash.

A token is 32 random bytes, so a plain SHA-256 of it cannot be reversed or
guessed; a slow password hash would only slow down every API call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from handlers.errors import Forbidden, Invalid, Unauthorized

AUTH = "auth"
ROLES = ("reader", "consultant", "admin")
PREFIX = "kkr_"


@dataclass(frozen=True)
class Caller:
    """Who is calling the API and what they may do."""

    name: str
    role: str

    def require(self, role: str) -> "Caller":
        if ROLES.index(self.role) < ROLES.index(role):
            raise Forbidden("error.role_needed", role=role, have=self.role)
        return self


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store, role: str, name: str, now: datetime, expires_at: datetime | None = None) -> tuple[str, dict]:
    """A new token for ``role``; returns the token (shown once) and its record."""
    if role not in ROLES:
        raise Invalid("invalid.role", role=role, roles=", ".join(ROLES))
    if not name or not name.strip():
        raise Invalid("invalid.required", field="name")
    token = PREFIX + secrets.token_urlsafe(32)
    record = {
        "name": name.strip(), "role": role, "hash": digest(token),
        "created_at": now.isoformat(),
        "expires_at": expires_at.isoformat() if expires_at else None,
        "revoked_at": None,
    }
    with store.write(AUTH) as tx:
        record = tx.insert("tokens", record)
    return token, record


def authenticate(store, token: str | None, now: datetime) -> Caller:
    """The caller a bearer token belongs to, or ``Unauthorized``."""
    if not token:
        raise Unauthorized("error.token_missing")
    with store.read(AUTH) as view:
        found = view.find("tokens", hash=digest(token))
    if not found or found[0].get("revoked_at"):
        raise Unauthorized("error.token_invalid")
    record = found[0]
    if record.get("expires_at") and datetime.fromisoformat(record["expires_at"]) <= now:
        raise Unauthorized("error.token_expired")
    return Caller(record["name"], record["role"])
