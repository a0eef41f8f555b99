"""Helpers every view uses: the store, the clock, the JSON body, the caller."""

from __future__ import annotations

import json

from flask import current_app, request

from handlers.errors import BadRequest, Invalid
from handlers.tokens import Caller, authenticate


def store():
    return current_app.config["STORE"]


def now():
    return current_app.config["CLOCK"]()


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("error.json", detail=str(error)) from None
    if not isinstance(data, dict):
        raise BadRequest("error.json_object")
    return data


def required_text(body: dict, field: str) -> str:
    """``body[field]`` if it is a string with text in it; else a 422 naming the field."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Invalid("invalid.required", field=field, extra={"field": field})
    return value


def caller(role: str) -> Caller:
    """The authenticated caller, who must have at least ``role``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    return authenticate(store(), token or None, now()).require(role)
