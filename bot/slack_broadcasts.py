"""Slack listeners for broadcasts: the modal, status, and the Acknowledge
and Forward buttons.  Each acks first and hands the work to ``handlers``."""

from __future__ import annotations

from slack_bolt import App

from bot.render import deliveries as render
from bot.render import modals
from bot.slack_errors import answering
from handlers import broadcasts, deliveries, forwarding, roles
from handlers.errors import KkrError
from handlers.i18n import t


def register(app: App, store, settings, clock, on_queued) -> None:
    lang = settings.lang

    def require_consultant(user_id: str, client) -> None:
        require_slack_consultant(store, settings, user_id, client)

    @app.command("/rkkp-broadcast")
    def open_modal(ack, body, client, respond):
        ack()
        with answering(respond, lang):
            require_consultant(body["user_id"], client)
            client.views_open(trigger_id=body["trigger_id"], view=render.broadcast_modal(lang))

    @app.view(render.MODAL)
    def submit(ack, body, view, client):
        user = body["user"]["id"]
        try:
            require_consultant(user, client)
            status, _ = broadcasts.create_broadcast(store, modals.values(view), by=body["user"].get("name", user),
                                                    now=clock(), key=view["id"])
        except KkrError as error:
            ack(response_action="errors", errors={error.extra.get("field", "title"): error.message(lang)})
            return
        ack()
        on_queued(status["id"])
        client.chat_postMessage(channel=user, text=t("broadcast.created", lang, id=status["id"]))

    @app.command("/rkkp-status")
    def show_status(ack, command, respond):
        ack()
        wanted = (command.get("text") or "").strip()
        with answering(respond, lang):
            if wanted:
                found = broadcasts.status(store, wanted, f"slack:{command.get('user_id')}", clock())
                respond(**render.status_message(found, lang))
            else:
                respond(**render.list_message(broadcasts.list_broadcasts(store)[:10], lang))

    @app.action(render.ACK)
    def acknowledge(ack, body, action, respond):
        ack()
        with answering(respond, lang):
            collection, record_id, delivery_id = render.read_ack_value(action["value"])
            delivery, recorded = deliveries.acknowledge(store, record_id, delivery_id, clock(),
                                                        slack_user=body["user"]["id"], collection=collection)
            note = t("ack.done" if recorded else "ack.already", lang, when=delivery["acknowledged_at"])
            blocks = render.acknowledged_blocks(body.get("message", {}).get("blocks", []), note)
            respond(replace_original=True, text=note, blocks=blocks)

    @app.action(render.FORWARD)
    def forward(ack, body, action, respond):
        ack()
        with answering(respond, lang):
            broadcast_id, region = action["value"].split(":", 1)
            done = forwarding.forward(store, int(broadcast_id), region, clock(), by=body["user"].get("name", ""),
                                      slack_user=body["user"]["id"])
            on_queued(int(broadcast_id))
            respond(replace_original=False, **render.forward_message(done, lang))


def require_slack_consultant(store, settings, user_id: str, client) -> None:
    """A consultant by Slack ID, or by the e-mail of the Slack profile (only
    asked of Slack when the ID alone does not settle it)."""
    if roles.is_consultant(store, user_id, None, settings.consultants):
        return
    profile = client.users_info(user=user_id)["user"].get("profile", {})
    roles.require_consultant(store, user_id, profile.get("email"), settings.consultants)
