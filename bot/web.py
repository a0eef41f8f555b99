"""The one web app of ``serve`` and gunicorn: the JSON API, the e-mail
acknowledgement pages, Slack's events endpoint when Slack is configured, and
the dispatcher that sends queued deliveries in the background."""

from __future__ import annotations

from flask import Flask, request

import api
from api.config import Settings
from api.web import public
from bot.channels import MailChannel, OutboxChannel, SlackChannel, outbox_folder
from bot.dispatch import Dispatcher
from bot.pacing import Limit, Pacer
from data.seen import SeenRequests


def create_web_app(settings: Settings | None = None, store=None, clock=None, dispatch: bool = True) -> Flask:
    """``dispatch=False`` leaves the dispatcher thread unstarted (tests that
    drive ``app.config["DISPATCHER"].run_once()`` themselves)."""
    settings = settings or Settings.from_env()
    app = api.create_app(settings, store=store, clock=clock)
    store, clock = app.config["STORE"], app.config["CLOCK"]
    client = None
    if settings.slack_enabled:
        from bot.slack import web_client

        client = web_client(settings)
    dispatcher = build_dispatcher(store, settings, clock, client)
    app.config.update(DISPATCHER=dispatcher, ON_QUEUED=dispatcher.kick)
    if client is not None:
        _mount_slack(app, store, settings, clock, client, dispatcher.kick)
    if dispatch:
        dispatcher.start()
    return app


def build_dispatcher(store, settings: Settings, clock, client=None) -> Dispatcher:
    public_url = settings.link_base
    mail = MailChannel(settings.smtp_url, settings.mail_from, public_url, settings.lang) if settings.smtp_url else None
    outbox = None if mail else OutboxChannel(outbox_folder(settings.db_path), settings.mail_from, public_url,
                                             settings.lang)
    slack = SlackChannel(client, settings.lang) if client is not None else None
    mail_pacer = Pacer({"smtp": Limit(settings.smtp_per_minute, 60)}) if mail and settings.smtp_per_minute else None
    return Dispatcher(store, clock, slack=slack, mail=mail, outbox=outbox, interval=settings.dispatch_interval,
                      mail_pacer=mail_pacer)


def _mount_slack(app: Flask, store, settings: Settings, clock, client, on_queued) -> None:
    from bot.slack import build_app
    from bot.slack_http import SlackDoor

    bolt = build_app(store, settings, client=client, clock=clock, on_queued=on_queued)
    app.config["BOLT"] = bolt  # serve connects it over Socket Mode when SLACK_APP_TOKEN is set
    if settings.slack_over_http:
        door = SlackDoor(bolt, settings.slack_signing_secret, SeenRequests.beside(store.path), settings.lang)
        # Open to the network: the door checks Slack's signature, and each listener declares its act.
        app.add_url_rule("/slack/events", "slack_events", public(lambda: door.handle(request)), methods=["POST"])
