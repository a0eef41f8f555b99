"""Signing in to the dashboard (``/status``) without a password.

A person the directory knows asks for a link (by e-mail, or from Slack's
``/rkkp-status``); the link carries a random token that is stored only as
its SHA-256, works once and for ``LINK_LIFETIME``.  Using it starts a
session, whose random id (also stored only hashed) the browser keeps in a
signed cookie; signing out ends it.  Both live in the store part
``signin``, so erasure can remove them (``forget``).

Who sees what is decided here, from the person's directory role: RKKP
staff and consultants (and KL, which stands in for regions without a KKR
contact) see everything; a KKR contact their region, a municipal contact
their municipality (``Viewer.scope``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers import audit
from handlers.directory import DIRECTORY
from handlers.errors import Forbidden, Invalid, NotFound
from handlers.permissions import Actor, Role
from handlers.tokens import digest
from handlers.validation import normal_email

PART = "signin"
LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
# Anyone may ask for a link to any address, so a person is mailed at most one a minute.
MAIL_GAP = timedelta(minutes=1)
# Directory roles that may sign in, and the standing each gives.
ROLES = {"consultant": Role.CONSULTANT, "staff": Role.READER, "kl": Role.READER,
         "kkr": Role.MEMBER, "municipal": Role.MEMBER}
# The order in which a person with several contacts is taken: the widest view first.
_PRECEDENCE = ("consultant", "staff", "kl", "kkr", "municipal")

SCOPED_ROLES = ("kkr", "municipal")  # directory roles that see only their own region or municipality


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: their name for the page, their actor for the rules
    and the audit trail, and the places they may see (None: all)."""

    name: str
    email: str | None
    role: str
    region: str | None = None
    municipality: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(f"web:{self.email or self.name}", ROLES[self.role])

    @property
    def sees_all(self) -> bool:
        return self.role not in SCOPED_ROLES


def link_url(link_base: str, token: str) -> str:
    """The sign-in link of ``token`` (``Settings.link_base`` in front), as
    every channel that hands one out writes it."""
    return f"{link_base.rstrip('/')}/status/sign-in/{token}"


def person_for_email(store, address: str) -> dict | None:
    """The directory's person with this e-mail who may sign in, or None
    (also for a malformed address: the form must not tell the two apart)."""
    try:
        address = normal_email(address)
    except Invalid:
        return None
    with store.read(DIRECTORY) as view:
        found = [c for c in view.all("contacts") if c.get("email") == address and c.get("role") in ROLES]
    return _person(min(found, key=lambda c: _PRECEDENCE.index(c["role"]))) if found else None


def person_for_slack(store, user_id: str, role: str) -> dict:
    """The directory's person with this Slack ID, else the Slack user as
    they are known to the entry that admitted them (``role``)."""
    with store.read(DIRECTORY) as view:
        found = [c for c in view.all("contacts") if c.get("slack_id") == user_id and c.get("role") in ROLES]
    if found:
        return _person(min(found, key=lambda c: _PRECEDENCE.index(c["role"])))
    return {"name": f"slack:{user_id}", "email": None, "slack_id": user_id, "role": role,
            "region": None, "municipality": None}


def _person(contact: dict) -> dict:
    return {"name": contact.get("name"), "email": contact.get("email"), "slack_id": contact.get("slack_id"),
            "role": contact["role"], "region": contact.get("region"), "municipality": contact.get("municipality")}


def issue_link(store, person: dict, now: datetime, by: str, lands_on: str | None = None, *,
               asked_by_anyone: bool = False) -> str | None:
    """A new sign-in token for ``person`` (shown once, in the link); using
    it leads to the dashboard's page ``lands_on`` (a path under
    ``/status/``, e.g. a report's download), else the dashboard.  With
    ``asked_by_anyone`` (the e-mail form, which anyone may fill in) None
    when the person got one less than ``MAIL_GAP`` ago, so the form cannot
    flood an inbox.  Links and sessions that have run out are dropped here,
    so the part does not grow with every request."""
    token = secrets.token_urlsafe(32)
    with store.write(PART) as tx:
        _drop_expired(tx, now)
        if asked_by_anyone and any(link["person"]["email"] == person["email"]
                                   and now - datetime.fromisoformat(link["created_at"]) < MAIL_GAP
                                   for link in tx.all("links")):
            return None
        tx.insert("links", {"hash": digest(token), "person": person, "created_at": now.isoformat(),
                            "expires_at": (now + LINK_LIFETIME).isoformat(), "used_at": None,
                            "lands_on": lands_on})
        audit.record(tx, by, "signin_link", _target(person), now)
    return token


def _drop_expired(tx, now: datetime) -> None:
    for table in ("links", "sessions"):
        for record in tx.all(table):
            if datetime.fromisoformat(record["expires_at"]) <= now or record.get("ended_at"):
                tx.remove(table, record["id"])


def use_link(store, token: str, now: datetime) -> tuple[str, Viewer, str]:
    """Start a session with the link ``token``: a new session id (for the
    cookie), who it is, and the dashboard's path the link leads to.  The link is spent in the same transaction that
    starts the session, so two uses of one link cannot both succeed."""
    session_id = secrets.token_urlsafe(32)
    with store.write(PART) as tx:
        link = next((r for r in tx.all("links") if r["hash"] == digest(token or "")), None)
        if link is None:
            raise NotFound("signin.unknown_link")
        if link["used_at"]:
            raise Forbidden("signin.link_used")
        if datetime.fromisoformat(link["expires_at"]) <= now:
            raise Forbidden("signin.link_expired")
        tx.update("links", link["id"], {"used_at": now.isoformat()})
        tx.insert("sessions", {"hash": digest(session_id), "person": link["person"], "created_at": now.isoformat(),
                               "expires_at": (now + SESSION_LIFETIME).isoformat(), "ended_at": None})
        audit.record(tx, _viewer(link["person"]).actor.name, "sign_in", _target(link["person"]), now)
    return session_id, _viewer(link["person"]), _landing(link.get("lands_on"))


def _landing(path: str | None) -> str:
    # Only a page of the dashboard itself: a stored path never sends the browser elsewhere.
    return path if path and path.startswith("/status/") and "//" not in path and "\\" not in path else "/status"


def viewer(store, session_id: str | None, now: datetime) -> Viewer | None:
    """Who the session ``session_id`` belongs to, or None when there is no
    such live session (unknown, ended, expired)."""
    if not session_id:
        return None
    with store.read(PART) as view:
        found = view.memo("sessions_by_hash", lambda v: {r["hash"]: r for r in v.all("sessions")}).get(
            digest(session_id))
    if not found or found["ended_at"] or datetime.fromisoformat(found["expires_at"]) <= now:
        return None
    return _viewer(found["person"])


def sign_out(store, session_id: str | None, now: datetime) -> None:
    if not session_id:
        return
    with store.write(PART) as tx:
        found = next((r for r in tx.all("sessions") if r["hash"] == digest(session_id)), None)
        if found and not found["ended_at"]:
            tx.update("sessions", found["id"], {"ended_at": now.isoformat()})
            audit.record(tx, _viewer(found["person"]).actor.name, "sign_out", _target(found["person"]), now)


def forget(tx, person) -> dict:
    """Erasure in the sign-in part: the person's links and sessions are
    removed (so they are signed out); nothing else here names anyone."""
    gone = [(table, r["id"]) for table in ("links", "sessions") for r in tx.all(table)
            if person.is_them(r["person"])]
    for table, key in gone:
        tx.remove(table, key)
    return {"history": len(gone) + person.scrub_tables(tx)}


def _viewer(person: dict) -> Viewer:
    return Viewer(person["name"] or "", person.get("email"), person["role"], person.get("region"),
                  person.get("municipality"))


def _target(person: dict) -> str:
    return f"person:{person.get('email') or person.get('slack_id')}"
