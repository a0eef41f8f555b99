"""Slack listeners of the App Home: the Home tab, published when a person
opens it and again when something of theirs changes, and its quick actions
(a new broadcast, looking up a contact).  Its Acknowledge and Reply buttons
are the DM's own and run the DM's listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.errors import SlackClientError

from bot import render
from bot.home_refresh import publish_home
from bot.render import deliveries as render_deliveries
from bot.render import home as render_home
from bot.render import modals
from bot.slack_access import requirer, user_of
from handlers import commands
from handlers.errors import KkrError
from handlers.permissions import Act

log = logging.getLogger(__name__)


def publisher(store, settings, clock):
    """``publish(client, *users)``: each user's Home tab, as it stands now (paced).
    A failure is logged: the home is a view of the store, the next opening
    shows it again."""

    def publish(client, *users: str | None) -> None:
        for user in dict.fromkeys(u for u in users if u):
            try:
                publish_home(client, store, settings, user, clock())
            except SlackClientError as error:
                log.warning("views.publish for %s failed: %s", user, error)

    return publish


def from_home(body: dict) -> bool:
    """Whether a click came from the Home tab (which has no ``response_url``)."""
    return (body.get("container") or {}).get("type") == "view" or (body.get("view") or {}).get("type") == "home"


def register(app: App, store, settings, clock, on_queued) -> None:
    lang, requires, publish = settings.lang, requirer(store, settings), publisher(store, settings, clock)

    # Open: the tab shows the person their own messages and broadcasts.
    @app.event("app_home_opened", middleware=[requires(Act.OPEN)])
    def home_opened(event, client):
        if event.get("tab", "home") == "home":
            publish(client, event.get("user"))

    @app.action(render_home.NEW_BROADCAST, middleware=[requires(Act.BROADCAST)])
    def new_broadcast(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=render_deliveries.broadcast_modal(lang))

    @app.action(render_home.LOOKUP, middleware=[requires(Act.READ_DIRECTORY)])
    def open_lookup(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=render_home.lookup_modal(lang))

    @app.view(render_home.LOOKUP_MODAL, middleware=[requires(Act.READ_DIRECTORY)])
    def lookup(ack, body, view):
        place = (modals.values(view).get("place") or "").strip()
        try:
            answer = render.slack(commands.kkr(store, place, f"slack:{body['user']['id']}", clock()), lang)
        except KkrError as error:
            answer = render.slack_error(error, lang)
        ack(response_action="update", view=render_home.lookup_answer(answer, lang))

    # Open: the dashboard button is a link; Slack still tells the app it was pressed.
    @app.action(render_home.DASHBOARD, middleware=[requires(Act.OPEN)])
    def dashboard(ack):
        ack()


def answerer(body: dict, respond, client):
    """Where a click's answer goes: its ``response_url``, or, for a click in
    the Home tab (which has none), a DM to the person who clicked."""
    if respond is not None and body.get("response_url"):
        return respond
    user = user_of(body)
    return lambda **message: client.chat_postMessage(
        channel=user, **{k: v for k, v in message.items() if k in ("text", "blocks")})
