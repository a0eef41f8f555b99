"""Slack listeners for appointments: ``/rkkp-appoint <database>`` and its
modal, and KL's buttons (forwarded to the KKRs; report an appointee)."""

from __future__ import annotations

from slack_bolt import App

from bot.render import appointments as render
from bot.render import modals
from bot.render.deliveries import APPOINT_FORWARDED, APPOINTEE
from bot.slack_access import requirer
from bot.slack_errors import answering
from handlers import appointments, databases
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act, recipient_to_check


def register(app: App, store, settings, clock, on_queued) -> None:
    lang, requires = settings.lang, requirer(store, settings)

    def require_kl(request_id: int, context, act: Act) -> None:
        """KL's buttons are its contact's, unless a consultant presses them."""
        appointments.require_kl(store, request_id, recipient_to_check(context["actor"], act), act)

    @app.command("/rkkp-appoint", middleware=[requires(Act.APPOINT)])
    def open_modal(ack, command, client, respond):
        ack()
        with answering(respond, lang):
            with store.read(databases.PART) as view:
                database = databases.known(view, (command.get("text") or "").strip() or "DHRD")["code"]
            client.views_open(trigger_id=command["trigger_id"], view=render.request_modal(database, lang))

    @app.view(render.REQUEST_MODAL, middleware=[requires(Act.APPOINT)])
    def submit_request(ack, body, view, client):
        user = body["user"]
        raw = modals.values(view)
        raw["representatives"] = int(raw.get("representatives") or 5)
        try:
            opened, _ = appointments.open_request(store, view["private_metadata"], raw, clock(),
                                                  by=user.get("name", user["id"]), key=view["id"],
                                                  creator={"name": user.get("name", user["id"]),
                                                           "slack_id": user["id"]})
        except KkrError as error:
            ack(response_action="errors", errors={error.extra.get("field", "disease_area"): error.message(lang)})
            return
        ack()
        on_queued(opened["id"])
        client.chat_postMessage(channel=user["id"], text=t("appointment.opened", lang, id=opened["id"]))

    @app.action(APPOINT_FORWARDED, middleware=[requires(Act.FORWARD_TO_KKR)])
    def forwarded(ack, body, action, respond, context):
        ack()
        with answering(respond, lang):
            request_id = int(action["value"].split(":")[0])
            require_kl(request_id, context, Act.FORWARD_TO_KKR)
            appointments.mark_forwarded(store, request_id, clock(), by=body["user"].get("name", ""))
            respond(replace_original=False, text=t("appointment.forwarded_done", lang))

    @app.action(APPOINTEE, middleware=[requires(Act.ADD_APPOINTEE)])
    def open_appointee(ack, body, action, client, respond, context):
        ack()
        with answering(respond, lang):
            request_id = int(action["value"].split(":")[0])
            require_kl(request_id, context, Act.ADD_APPOINTEE)
            with store.read("directory") as view:
                regions = [(r["code"], r["name"]) for r in sorted(view.all("regions"), key=lambda r: r["code"])]
            client.views_open(trigger_id=body["trigger_id"],
                              view=render.appointee_modal(str(request_id), regions, lang))

    @app.view(render.APPOINTEE_MODAL, middleware=[requires(Act.ADD_APPOINTEE)])
    def submit_appointee(ack, body, view, context):
        request_id = int(view["private_metadata"])
        try:
            require_kl(request_id, context, Act.ADD_APPOINTEE)
            appointments.add_appointee(store, request_id, modals.values(view), clock(),
                                       by=body["user"].get("name", ""))
        except KkrError as error:
            ack(response_action="errors", errors={error.extra.get("field", "name"): error.message(lang)})
            return
        ack()
        on_queued(request_id)
