"""Helpers every view uses: the store, the clock, the JSON body, and the
act it declares (``@requires``), which admits the caller."""

from __future__ import annotations

import functools
import json
import re

from flask import current_app, g, request

from handlers import permissions
from handlers.errors import BadRequest, Invalid
from handlers.permissions import Act, Actor
from handlers.tokens import authenticate

# Our bodies nest three levels at most; the limit only stops bodies built to
# exhaust the parser (the size is bounded by MAX_CONTENT_LENGTH).
MAX_DEPTH = 32
# A lone UTF-16 surrogate is a valid JSON escape ("\ud800") but not text:
# it cannot be encoded as UTF-8, so storing it would fail halfway.
_SURROGATE = re.compile("[\ud800-\udfff]")


def store():
    return current_app.config["STORE"]


def now():
    return current_app.config["CLOCK"]()


def lang() -> str:
    """The language of pages and errors (``KKRBOT_LANG``)."""
    return current_app.config["LANG"]


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it
    (malformed, not an object, nested deeper than ``MAX_DEPTH``); a field
    whose value holds a lone surrogate is a 422 naming the field."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except RecursionError:
        raise BadRequest("error.json_too_deep", limit=MAX_DEPTH) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("error.json", detail=str(error)) from None
    if not isinstance(data, dict):
        raise BadRequest("error.json_object")
    for field, value in data.items():
        if _SURROGATE.search(field):
            raise BadRequest("error.json_not_text")
        if not _is_text(value, depth=2):
            raise Invalid("invalid.not_text", field=field, extra={"field": field})
    return data


def _is_text(value, depth: int) -> bool:
    """False if a string in ``value`` (a key too) holds a lone surrogate;
    ``BadRequest`` if ``value`` nests deeper than ``MAX_DEPTH``.  A loop, not
    recursion, so that depth itself cannot overflow the stack here."""
    pending = [(value, depth)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return False
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise BadRequest("error.json_too_deep", limit=MAX_DEPTH)
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            value = value.values()
        pending.extend((item, depth + 1) for item in value)
    return True


def required_text(body: dict, field: str) -> str:
    """``body[field]`` if it is a string with text in it; else a 422 naming the field."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("invalid.required", field=field, extra={"field": field})
    return value


def requires(act: Act):
    """Declares the act a view performs (as flaskr's ``login_required``
    does): the bearer token's holder is admitted by the act's rule before
    the view runs, and ``actor()`` is who they are.  ``view.act`` tells a
    test that no route is left undeclared."""
    def declare(view):
        @functools.wraps(view)
        def admitted(**kwargs):
            g.actor = permissions.admit(_token_holder(), act)
            return view(**kwargs)

        admitted.act = act
        return admitted

    return declare


def public(view):
    """Declares a view open to anyone, without a token."""
    view.act = Act.OPEN
    return view


def actor() -> Actor:
    """Who the view's ``@requires`` admitted."""
    return g.actor


def _token_holder() -> Actor:
    header = request.environ.get("HTTP_AUTHORIZATION", "")  # what request.headers reads, without its wrapper
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    config = current_app.config  # one look-up of the app for both (every request comes here)
    caller = authenticate(config["STORE"], token or None, config["CLOCK"]())
    return permissions.token_holder(caller.name, caller.role)
