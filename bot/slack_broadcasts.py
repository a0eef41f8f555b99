"""Slack listeners for broadcasts: the modal, status, and the Acknowledge
and Forward buttons.  Each acks first and hands the work to ``handlers``."""

from __future__ import annotations

from slack_bolt import App

from bot.render import deliveries as render
from bot.render import modals
from bot.slack_access import requirer
from bot.slack_errors import answering
from bot.slack_home import answerer, from_home, publisher
from handlers import broadcasts, deliveries, forwarding, home, signin
from handlers.clock import parse
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act, recipient_to_check


def register(app: App, store, settings, clock, on_queued) -> None:
    lang, requires, publish = settings.lang, requirer(store, settings), publisher(store, settings, clock)

    @app.command("/rkkp-broadcast", middleware=[requires(Act.BROADCAST)])
    def open_modal(ack, body, client, respond):
        ack()
        with answering(respond, lang):
            client.views_open(trigger_id=body["trigger_id"], view=render.broadcast_modal(lang))

    @app.view(render.MODAL, middleware=[requires(Act.BROADCAST)])
    def submit(ack, body, view, client):
        user = body["user"]["id"]
        try:
            name = body["user"].get("name", user)
            status, _ = broadcasts.create_broadcast(store, modals.values(view), by=name, now=clock(),
                                                    key=view["id"], creator=_creator(store, name, user))
        except KkrError as error:
            ack(response_action="errors", errors={error.extra.get("field", "title"): error.message(lang)})
            return
        ack()
        on_queued(status["id"])
        client.chat_postMessage(channel=user, text=t("broadcast.created", lang, id=status["id"]))
        publish(client, user)

    @app.command("/rkkp-status", middleware=[requires(Act.READ_STATUS)])
    def show_status(ack, command, respond, context):
        ack()
        wanted = (command.get("text") or "").strip()
        with answering(respond, lang):
            if wanted:
                found = broadcasts.status(store, wanted, context["actor"].name, clock())
                message = render.status_message(found, lang)
            else:
                message = render.list_message(broadcasts.list_broadcasts(store)[:10], lang)
            respond(**render.with_dashboard_link(message, _dashboard_link(command["user_id"]), lang))

    @app.action("kkr_dashboard", middleware=[requires(Act.OPEN)])
    def dashboard_opened(ack):
        ack()  # a link button: Slack tells the app it was pressed, the browser does the rest

    def _dashboard_link(user: str) -> str:
        """A single-use sign-in link to the dashboard for the consultant who asked."""
        person = signin.person_for_slack(store, user, "consultant")
        return signin.link_url(settings.link_base, signin.issue_link(store, person, clock(), by=f"slack:{user}"))

    @app.action(render.ACK, middleware=[requires(Act.ACKNOWLEDGE)])
    def acknowledge(ack, body, action, respond, client):
        """The DM's button and the Home tab's: the DM's message loses its
        button, the Home tab is published anew (and the sender's)."""
        ack()
        with answering(answerer(body, respond, client), lang):
            collection, record_id, delivery_id = render.read_ack_value(action["value"])
            delivery, recorded = deliveries.acknowledge(store, record_id, delivery_id, clock(),
                                                        slack_user=body["user"]["id"], collection=collection)
            note = t("ack.done" if recorded else "ack.already", lang, when=parse(delivery["acknowledged_at"]))
            if not from_home(body):
                blocks = render.acknowledged_blocks(body.get("message", {}).get("blocks", []), note)
                respond(replace_original=True, text=note, blocks=blocks)
            publish(client, body["user"]["id"], home.sender_of(store, collection, record_id))

    @app.action(render.FORWARD, middleware=[requires(Act.FORWARD)])
    def forward(ack, body, action, respond, context, client):
        ack()
        with answering(respond, lang):
            broadcast_id, region = action["value"].split(":", 1)
            done = forwarding.forward(store, int(broadcast_id), region, clock(), by=body["user"].get("name", ""),
                                      slack_user=recipient_to_check(context["actor"], Act.FORWARD))
            on_queued(int(broadcast_id))
            respond(replace_original=False, **render.forward_message(done, lang))
            publish(client, home.sender_of(store, "broadcast", int(broadcast_id)))



def _creator(store, name: str, user: str) -> dict:
    """Who sent it: the directory's consultant of that name, and in any
    case this Slack user (whose Home tab lists it and who gets the summary)."""
    found = broadcasts.consultant_contact(store, name)
    return {**found, "slack_id": found.get("slack_id") or user}
