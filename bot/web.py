"""The one web app of ``serve`` and gunicorn: the JSON API plus, when Slack
is configured, Slack's events endpoint."""

from __future__ import annotations

from flask import Flask, request
from slack_bolt.adapter.flask import SlackRequestHandler

import api
from api.config import Settings


def create_web_app(settings: Settings | None = None, store=None, clock=None) -> Flask:
    settings = settings or Settings.from_env()
    app = api.create_app(settings, store=store, clock=clock)
    if settings.slack_enabled:
        from bot.slack import build_app

        bolt = build_app(app.config["STORE"], settings)
        handler = SlackRequestHandler(bolt)
        app.config["BOLT"] = bolt
        app.add_url_rule("/slack/events", "slack_events", lambda: handler.handle(request), methods=["POST"])
    return app
