"""The one error hierarchy of kkr-bot.

Handlers raise these; the Flask error handler turns them into a JSON error
with the status below, the Slack error handler into a friendly message.  The
text comes from the message catalogue, so the same error reads well in
Danish and English.
"""

from __future__ import annotations

from handlers.i18n import t


class KkrError(Exception):
    """Base class: a ``key`` in the catalogue, its parameters, extra fields."""

    status = 500
    key = "error.internal"

    def __init__(self, key: str | None = None, *, extra: dict | None = None, **params):
        self.key = key or self.key
        self.params = params
        self.extra = extra or {}
        super().__init__(self.message("en"))

    def message(self, lang: str = "da") -> str:
        return t(self.key, lang, **self.params)

    def to_dict(self, lang: str = "da") -> dict:
        return {"error": self.message(lang), **self.extra}


class BadRequest(KkrError):
    status, key = 400, "error.bad_request"


class Unauthorized(KkrError):
    status, key = 401, "error.unauthorized"


class Forbidden(KkrError):
    status, key = 403, "error.forbidden"


class NotFound(KkrError):
    status, key = 404, "error.not_found"

    @property
    def suggestions(self) -> list[str]:
        return self.extra.get("suggestions", [])


class Conflict(KkrError):
    status, key = 409, "error.conflict"


class TooLarge(KkrError):
    status, key = 413, "error.too_large"


class Invalid(KkrError):
    """422: the request is well-formed but a value is not acceptable."""

    status, key = 422, "error.invalid"


class Unreadable(KkrError):
    """500: a stored record holds what this version cannot read (a state,
    kind or tier it does not know, a field missing): the store needs repair,
    and nothing is changed until it is."""

    status, key = 500, "error.unreadable_record"
