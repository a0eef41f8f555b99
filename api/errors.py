"""One place that turns every failure into a JSON error.

Our own ``KkrError``s carry their status; Werkzeug's HTTP errors (unknown
route, wrong method, body too large) get the same JSON shape; anything else
is logged and answered with a plain 500 that leaks nothing.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from handlers.errors import KkrError
from handlers.i18n import t

_WERKZEUG_KEYS = {404: "error.route_not_found", 405: "error.method_not_allowed", 413: "error.too_large"}


def register(app: Flask) -> None:
    app.register_error_handler(KkrError, _kkr_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _kkr_error(error: KkrError):
    if error.status >= 500:  # ours, but the server's fault (a record the store holds that cannot be read)
        current_app.logger.error("%s on %s %s", error, request.method, request.path)
    return jsonify(error.to_dict(current_app.config["LANG"])), error.status


def _http_error(error: HTTPException):
    lang = current_app.config["LANG"]
    key = _WERKZEUG_KEYS.get(error.code)
    if key:
        message = t(key, lang, path=request.path, method=request.method,
                    limit=current_app.config["MAX_CONTENT_LENGTH"])
    else:
        message = error.description or error.name
    response = jsonify({"error": message})
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response, error.code


def _unexpected(error: Exception):
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return jsonify({"error": t("error.internal", current_app.config["LANG"])}), 500
