"""API tokens: made once, shown once, stored only as a hash.

A token is 32 random bytes, so a plain SHA-256 of it cannot be reversed or
guessed; a slow password hash would only slow down every API call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from handlers import audit
from handlers.errors import Forbidden, Invalid, NotFound, Unauthorized

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


def create_token(store, role: str, name: str, now: datetime, expires_at: datetime | None = None,
                 by: str = "cli") -> tuple[str, dict]:
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
        audit.record(tx, by, "token_create", f"token:{record['hash'][:12]}", now, role=role, name=record["name"])
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


def revoke_token(store, name_or_prefix: str, now: datetime, by: str = "cli") -> list[dict]:
    """Revoke every live token of that name (or whose hash starts with the
    given prefix, as ``list_tokens`` shows it); return what was revoked."""
    wanted = (name_or_prefix or "").strip()
    if not wanted:
        raise Invalid("invalid.required", field="name")
    with store.write(AUTH) as tx:
        found = [r for r in tx.all("tokens") if not r.get("revoked_at")
                 and (r["name"] == wanted or (len(wanted) >= 8 and r["hash"].startswith(wanted)))]
        for record in found:
            tx.update("tokens", record["id"], {"revoked_at": now.isoformat()})
            audit.record(tx, by, "token_revoke", f"token:{record['hash'][:12]}", now, name=record["name"])
    if not found:
        raise NotFound("token.not_found", name=wanted)
    return found


def list_tokens(store) -> list[dict]:
    """Every token's name, role, dates and the start of its hash (never the token)."""
    with store.read(AUTH) as view:
        return [{"name": r["name"], "role": r["role"], "id": r["hash"][:12], "created_at": r["created_at"],
                 "expires_at": r.get("expires_at"), "revoked_at": r.get("revoked_at")} for r in view.all("tokens")]
