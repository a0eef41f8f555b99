"""Health and the OpenAPI document."""

from flask import Blueprint, jsonify

from api.openapi import document

bp = Blueprint("meta", __name__, url_prefix="/api")


@bp.get("/health")
def health():
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
