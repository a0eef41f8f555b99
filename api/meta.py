"""Health and the OpenAPI document."""

from flask import Blueprint, jsonify

from api.openapi import document
from api.web import public

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
@public
def health():
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document())
