"""The dashboard's session cookie and CSRF tokens.

The cookie holds the session's random id, signed (itsdangerous, which Flask
ships) under a key derived from the store's own secret
(``handlers.ack_tokens.server_secret``), so every worker and restart agrees
on it without configuration; the session itself lives in the store
(``handlers.signin``), so signing out or erasure ends it at once.  The
cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` when
``KKRBOT_PUBLIC_URL`` is https.

Every form carries a CSRF token: an HMAC, under the same key, of the
session id, or before sign-in of a random ``kkrbot_form`` cookie (the
double-submit pattern), checked on every POST of the dashboard.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from flask import current_app, g, redirect, request
from itsdangerous import BadSignature, URLSafeSerializer

from api.web import now, store
from handlers import ack_tokens, permissions, signin
from handlers.errors import BadRequest
from handlers.permissions import Act

SESSION_COOKIE = "kkrbot_session"
FORM_COOKIE = "kkrbot_form"


def _key() -> bytes:
    found = current_app.config.get("DASHBOARD_KEY")
    if found is None:
        found = hmac.new(ack_tokens.server_secret(store()), b"kkrbot dashboard session", hashlib.sha256).digest()
        current_app.config["DASHBOARD_KEY"] = found
    return found


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(_key(), salt="kkrbot.session")


def session_id() -> str | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return _signer().loads(raw)
    except BadSignature:
        return None


def viewer() -> signin.Viewer | None:
    if "viewer" not in g:
        g.viewer = signin.viewer(store(), session_id(), now())
    return g.viewer


def _secure() -> bool:
    return (current_app.config["SETTINGS"].public_url or "").startswith("https://")


def start(response, new_session_id: str):
    response.set_cookie(SESSION_COOKIE, _signer().dumps(new_session_id), httponly=True, samesite="Lax",
                        secure=_secure(), path="/status", max_age=int(signin.SESSION_LIFETIME.total_seconds()))
    return response


def end(response):
    response.delete_cookie(SESSION_COOKIE, path="/status", httponly=True, samesite="Lax", secure=_secure())
    return response


def _binding() -> str:
    return session_id() or g.get("form_nonce") or request.cookies.get(FORM_COOKIE) or ""


def csrf_token() -> str:
    """The token of this visitor's forms; before sign-in it binds the
    ``kkrbot_form`` cookie, which ``keep_form_cookie`` sets."""
    if not session_id() and not request.cookies.get(FORM_COOKIE) and "form_nonce" not in g:
        g.form_nonce = secrets.token_urlsafe(24)
    return hmac.new(_key(), b"csrf:" + _binding().encode(), hashlib.sha256).hexdigest()


def keep_form_cookie(response):
    """After a page that made a new form nonce: send it as the cookie."""
    if "form_nonce" in g:
        response.set_cookie(FORM_COOKIE, g.form_nonce, httponly=True, samesite="Lax", secure=_secure(),
                            path="/status")
    return response


def check_csrf() -> None:
    """Every POST to the dashboard: a 400 unless its form carries this visitor's token."""
    if request.method != "POST":
        return
    sent = request.form.get("csrf", "")
    if not _binding() or not hmac.compare_digest(sent, csrf_token()):
        raise BadRequest("signin.csrf")


def signed_in(act: Act):
    """Declares the act a page performs: the signed-in person is admitted by
    the act's rule (``handlers.permissions``); anyone else is sent to sign in."""
    def declare(view):
        @functools.wraps(view)
        def admitted(**kwargs):
            who = viewer()
            if who is None:
                return redirect("/status/sign-in")
            permissions.admit(who.actor, act)
            return view(**kwargs)

        admitted.act = act
        return admitted

    return declare
