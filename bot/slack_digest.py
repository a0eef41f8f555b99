"""Slack listener of the weekly digest's DM: its button stops the digest,
and the answer's button starts it again (the e-mail's link does the same
on ``/digest/<token>``).  Only the DM's recipient may press them."""

from __future__ import annotations

from slack_bolt import App

from bot.render import digest as render_digest
from bot.slack_access import requirer
from bot.slack_errors import answering
from handlers import digest
from handlers.permissions import Act


def register(app: App, store, settings, clock, on_queued) -> None:
    lang, requires = settings.lang, requirer(store, settings)

    def choose(ack, body, action, respond, wants: bool) -> None:
        ack()
        with answering(respond, lang):
            week_id, delivery_id = (int(part) for part in action["value"].split(":"))
            digest.choose_by_delivery(store, week_id, delivery_id, wants, clock(), slack_user=body["user"]["id"])
            respond(**render_digest.chosen_message(wants, action["value"], lang))

    @app.action(render_digest.STOP, middleware=[requires(Act.CHOOSE_DIGEST)])
    def stop(ack, body, action, respond):
        choose(ack, body, action, respond, False)

    @app.action(render_digest.START, middleware=[requires(Act.CHOOSE_DIGEST)])
    def start(ack, body, action, respond):
        choose(ack, body, action, respond, True)
