"""Health, the API's own introduction (``GET /api/``), the OpenAPI
document and its rendered reference (``/api/docs``: Swagger UI from the
pinned ``swagger-ui-bundle`` wheel, served from this origin, so the page
needs no CDN and keeps the pages' Content-Security-Policy)."""

from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory

from api.headers import DOCS_POLICY
from api.openapi import document
from api.web import public
from handlers.i18n import t

bp = Blueprint("meta", __name__, url_prefix="/api")
# The Swagger UI files the page loads; nothing else of the wheel is served.
DOCS_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})


@bp.get("/")
@public
def index():
    info = document()["info"]
    return jsonify({"name": info["title"], "version": info["version"], "description": info["description"],
                    "links": {"openapi": "/api/openapi.json", "docs": "/api/docs", "health": "/api/health"}})


@bp.get("/health")
@public
def health():
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document())


@bp.get("/docs")
@public
def docs():
    lang = current_app.config["LANG"]
    page = current_app.make_response(render_template("api_docs.html", lang=lang, title=t("docs.title", lang)))
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


# Outside /api/: files, not part of the API its document describes.
files = Blueprint("docs_files", __name__)


@files.get("/swagger-ui/<name>")
@public
def swagger_ui(name: str):
    if name not in DOCS_FILES:
        abort(404)
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), name, max_age=86_400)
