"""The one web app of ``serve`` and gunicorn: the JSON API, the e-mail
acknowledgement pages, Slack's events endpoint when Slack is configured, and
the dispatcher that sends queued deliveries in the background."""

from __future__ import annotations

from flask import Flask, request

import api
from api.config import Settings
from api.web import public
from bot.channels.base import Setup
from bot.channels.registry import channels_of
from bot.dispatch import Dispatcher
from bot.signin_mail import SignInMail
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
    teams = None
    if settings.teams_app_id:  # only then is the Teams SDK imported
        from bot import teams as teams_module

        teams = teams_module.TeamsBot(store, settings, clock)
        teams_module.mount(app, teams)
        app.config["TEAMS"] = teams
    dispatcher = build_dispatcher(store, settings, clock, client, teams)
    app.config.update(DISPATCHER=dispatcher, ON_QUEUED=dispatcher.kick, SIGN_IN_MAIL=SignInMail(settings))
    if teams is not None:
        teams.on_queued = dispatcher.kick  # a forward on a Teams card sends its municipalities now
    if client is not None:
        _mount_slack(app, store, settings, clock, client, dispatcher.kick)
    if dispatch:
        dispatcher.start()
    return app


def build_dispatcher(store, settings: Settings, clock, client=None, teams=None) -> Dispatcher:
    """The dispatcher over the channels of ``KKRBOT_CHANNELS`` that are
    configured (``client``: the Slack app's Web API client, None without
    Slack; ``teams``: the Teams bot, None without Teams); an unknown channel
    name raises ``Invalid``."""
    channels = channels_of(Setup(settings, store, slack_client=client, teams=teams))
    return Dispatcher(store, clock, channels, interval=settings.dispatch_interval)


def _mount_slack(app: Flask, store, settings: Settings, clock, client, on_queued) -> None:
    from bot.slack import build_app
    from bot.slack_http import SlackDoor

    bolt = build_app(store, settings, client=client, clock=clock, on_queued=on_queued)
    app.config["BOLT"] = bolt  # serve connects it over Socket Mode when SLACK_APP_TOKEN is set
    if settings.slack_over_http:
        door = SlackDoor(bolt, settings.slack_signing_secret, SeenRequests.beside(store.path), settings.lang)
        # Open to the network: the door checks Slack's signature, and each listener declares its act.
        app.add_url_rule("/slack/events", "slack_events", public(lambda: door.handle(request)), methods=["POST"])
