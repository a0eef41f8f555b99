"""The Slack app: Bolt listeners that ack first and hand the work to
``handlers``, and one error handler that turns our errors into a friendly
message for the person who asked."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from api.config import Settings
from bot import render, slack_appointments, slack_broadcasts, slack_digest, slack_hearings, slack_home
from bot.slack_access import requirer
from bot.slack_errors import answering, error_reply
from bot.slack_limits import PacedRateLimitRetryHandler, slack_pacer
from handlers import commands
from handlers.i18n import t
from handlers.permissions import Act


def web_client(settings: Settings) -> WebClient:
    """A Web API client that retries dropped connections and waits out 429s
    (``Retry-After``), telling its pacer (``bot.slack_limits.pacer_of``) so
    that the paced senders slow down; slack_sdk leaves rate-limit retries
    off by default."""
    pacer = slack_pacer(settings.slack_rate_limits)
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2), PacedRateLimitRetryHandler(pacer)],
    )


def build_app(store, settings: Settings, client: WebClient | None = None, clock=None, on_queued=None) -> App:
    """The Bolt app.  ``clock`` gives the time; ``on_queued(broadcast_id)``
    is called when deliveries were queued (the dispatcher's ``kick``).

    Building it calls no Slack API: Bolt's boot-time ``auth.test`` is off, so
    a gunicorn worker boots (and serves the API and e-mail pages) while Slack
    is down.  Bolt's SingleTeamAuthorization then calls ``auth.test`` on the
    first Slack request, and again on each later one until it succeeds."""
    lang, clock = settings.lang, clock or _now
    app = App(signing_secret=settings.slack_signing_secret, client=client or web_client(settings),
              token_verification_enabled=False, user_facing_authorize_error_message=t("slack.unavailable", lang))
    for listeners in (slack_broadcasts, slack_hearings, slack_appointments, slack_home, slack_digest):
        listeners.register(app, store, settings, clock, on_queued or (lambda _id: None))
    requires = requirer(store, settings)

    @app.command("/kkr", middleware=[requires(Act.READ_DIRECTORY)])
    def kkr_command(ack, command, respond):
        ack()
        with answering(respond, lang):
            reply = commands.kkr(store, command.get("text"), f"slack:{command.get('user_id')}", clock())
            respond(**render.slack(reply, lang))

    @app.event("app_mention", middleware=[requires(Act.READ_DIRECTORY)])
    def mention(event, say):
        reply = commands.question(store, event.get("text"), f"slack:{event.get('user')}", clock())
        say(**render.slack(reply, lang), thread_ts=_thread(event))

    @app.message(matchers=[lambda event: event.get("channel_type") == "im"],
                 middleware=[requires(Act.READ_DIRECTORY)])
    def direct_message(message, say):
        say(**render.slack(commands.question(store, message.get("text"), f"slack:{message.get('user')}", clock()),
                           lang))

    @app.command(re.compile(r".*"), middleware=[requires(Act.OPEN)])
    def unknown_command(ack, command):
        """Registered last: any command the manifest maps here that we do not
        know gets a hint instead of Slack's failure message."""
        ack(text=t("slack.unknown_command", lang, command=command.get("command", "")))

    @app.event("message", middleware=[requires(Act.OPEN)])
    def other_messages():
        """Channel chatter the bot is not asked about: acknowledged, ignored."""

    @app.error
    def on_error(error, body, respond, say):
        reply = error_reply(error, lang)
        if body.get("response_url"):
            respond(**reply)
        elif isinstance(body.get("event"), dict) and body["event"].get("channel"):
            say(**reply, thread_ts=_thread(body["event"]) if body["event"].get("type") == "app_mention" else None)

    return app


def _now() -> datetime:
    return datetime.now(UTC)


def _thread(event: dict) -> str | None:
    return event.get("thread_ts") or event.get("ts")
