"""API tokens: made once, shown once, stored only as a hash.

A token is 32 random bytes, so a plain SHA-256 of it cannot be reversed or
guessed; a slow password hash would only slow down every API call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers import audit
from handlers.errors import Conflict, Invalid, NotFound, Unauthorized
from handlers.validation import clean_text

AUTH = "auth"
ROLES = ("reader", "consultant", "admin")
PREFIX = "kkr_"
ID_LENGTH = 12  # the start of the hash that names a token in lists and the audit trail


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: what they may do is ``handlers.permissions``'."""

    name: str
    role: str


def digest(token: str) -> str:
    import hashlib  # here, as secrets below: loading OpenSSL slows the start of commands without tokens

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store, role: str, name: str, now: datetime, expires_at: datetime | None = None,
                 by: str = "cli") -> tuple[str, dict]:
    """A new token for ``role``; returns the token (shown once) and its record.

    The name must not be that of another live token, so that a name in the
    audit trail and in ``revoke_token`` means one token; an expiry must lie
    in the future (one in the past would make a token that never works).
    """
    if role not in ROLES:
        raise Invalid("invalid.role", role=role, roles=", ".join(ROLES))
    name = clean_text(name or "", "name")
    if not name:
        raise Invalid("invalid.required", field="name")
    if expires_at is not None and expires_at <= now:
        raise Invalid("token.expiry_past", field="expires_at")
    import secrets

    token = PREFIX + secrets.token_urlsafe(32)
    record = {
        "name": name, "role": role, "hash": digest(token),
        "created_at": now.isoformat(),
        "expires_at": expires_at.isoformat() if expires_at else None,
        "revoked_at": None,
    }
    with store.write(AUTH) as tx:
        if any(r["name"] == record["name"] for r in _live(tx, now)):
            raise Conflict("token.name_taken", name=record["name"])
        record = tx.insert("tokens", record)
        audit.record(tx, by, "token_create", f"token:{record['hash'][:12]}", now, role=role, name=record["name"])
    return token, record


def _live(view, now: datetime) -> list[dict]:
    """The tokens neither revoked nor expired."""
    return [r for r in view.all("tokens") if not r.get("revoked_at")
            and not (r.get("expires_at") and datetime.fromisoformat(r["expires_at"]) <= now)]


def authenticate(store, token: str | None, now: datetime) -> Caller:
    """The caller a bearer token belongs to, or ``Unauthorized``."""
    if not token:
        raise Unauthorized("error.token_missing")
    with store.read(AUTH) as view:
        found = view.memo("callers_by_hash", _callers).get(digest(token))
    if found is None:
        raise Unauthorized("error.token_invalid")
    caller, expires_at = found
    if expires_at is not None and expires_at <= now:
        raise Unauthorized("error.token_expired")
    return caller


def _callers(view) -> dict[str, tuple[Caller, datetime | None] | None]:
    """Every token's caller and expiry by the token's hash (None: revoked),
    made once per version of the tokens part: every API request asks."""
    found: dict[str, tuple[Caller, datetime | None] | None] = {}
    for record in view.all("tokens"):
        if record["hash"] not in found:
            expires_at = datetime.fromisoformat(record["expires_at"]) if record.get("expires_at") else None
            live = not record.get("revoked_at")
            found[record["hash"]] = (Caller(record["name"], record["role"]), expires_at) if live else None
    return found


def revoke_token(store, name_or_id: str, now: datetime, by: str = "cli") -> dict:
    """Revoke the one live token of that name or id (as ``list_tokens``
    shows it) and return it as listed; ``NotFound`` if there is none and
    ``Conflict`` if the words designate several, so nothing is revoked by
    surprise."""
    wanted = (name_or_id or "").strip()
    if not wanted:
        raise Invalid("invalid.required", field="name")
    with store.write(AUTH) as tx:
        found = [r for r in _live(tx, now) if wanted in (r["name"], r["hash"][:ID_LENGTH])]
        if len(found) > 1:
            raise Conflict("token.ambiguous", name=wanted, ids=", ".join(r["hash"][:ID_LENGTH] for r in found))
        if not found:
            raise NotFound("token.not_found", name=wanted)
        tx.update("tokens", found[0]["id"], {"revoked_at": now.isoformat()})
        record = {**found[0], "revoked_at": now.isoformat()}
        audit.record(tx, by, "token_revoke", f"token:{record['hash'][:12]}", now, name=record["name"])
    return _listed(record)


def forget(tx, person) -> dict:
    """Erasure in the tokens part: a token named after the person takes
    their pseudonym as its name (and keeps working: revoking is a separate
    decision, ``token revoke``).  The server's secrets are not touched."""
    return {"history": person.scrub_tables(tx, ["tokens"])}


def list_tokens(store) -> list[dict]:
    """Every token's name, role, dates and the start of its hash (never the token)."""
    with store.read(AUTH) as view:
        return [_listed(r) for r in view.all("tokens")]


def _listed(record: dict) -> dict:
    return {"name": record["name"], "role": record["role"], "id": record["hash"][:ID_LENGTH],
            "created_at": record["created_at"], "expires_at": record.get("expires_at"),
            "revoked_at": record.get("revoked_at")}
