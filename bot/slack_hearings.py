"""Slack listeners for hearings: the Reply button and its modal,
``/rkkp-report <id>`` and ``/rkkp-close <id> <message>``."""

from __future__ import annotations

from slack_bolt import App

from bot.render import deliveries as render
from bot.render import hearings as render_hearings
from bot.slack_access import requirer
from bot.slack_errors import answering
from bot.slack_home import answerer, publisher
from handlers import hearings, home, report, signin
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act


def register(app: App, store, settings, clock, on_queued) -> None:
    lang, requires, publish = settings.lang, requirer(store, settings), publisher(store, settings, clock)

    @app.action(render.REPLY, middleware=[requires(Act.REPLY)])
    def open_reply(ack, body, action, client, respond):
        ack()
        with answering(answerer(body, respond, client), lang):
            broadcast_id, delivery_id = (int(part) for part in action["value"].split(":"))
            context = hearings.reply_context(store, broadcast_id, delivery_id, slack_user=body["user"]["id"],
                                             now=clock())
            client.views_open(trigger_id=body["trigger_id"],
                              view=render_hearings.reply_modal(context, f"{broadcast_id}:{delivery_id}", lang))

    @app.view(render_hearings.REPLY_MODAL, middleware=[requires(Act.REPLY)])
    def submit_reply(ack, body, view, client):
        broadcast_id, delivery_id = (int(part) for part in view["private_metadata"].split(":"))
        try:
            saved = hearings.reply_by_delivery(store, broadcast_id, delivery_id, render_hearings.reply_text(view),
                                               clock(), slack_user=body["user"]["id"])
        except KkrError as error:
            ack(response_action="errors", errors={render_hearings.REPLY_BLOCK: error.message(lang)})
            return
        ack()
        client.chat_postMessage(channel=body["user"]["id"],
                                text=t("hearing.saved_late" if saved["late"] else "hearing.saved", lang))
        publish(client, body["user"]["id"], home.sender_of(store, "broadcast", broadcast_id))

    @app.command("/rkkp-report", middleware=[requires(Act.READ_REPORT)])
    def show_report(ack, command, respond, context):
        """The report, and a button that signs the consultant in to the
        dashboard and downloads it as an Excel workbook (Slack takes no file
        in a command's answer; the link works once, for 15 minutes)."""
        ack()
        with answering(respond, lang):
            found = report.hearing_report(store, (command.get("text") or "").strip(), context["actor"].name, clock())
            user, workbook = command["user_id"], f"/status/broadcasts/{found['hearing']['id']}/report.xlsx"
            token = signin.issue_link(store, signin.person_for_slack(store, user, "consultant"), clock(),
                                      by=f"slack:{user}", lands_on=workbook)
            url = signin.link_url(settings.link_base, token)
            respond(**render.with_dashboard_link(render_hearings.report_message(found, lang), url, lang,
                                                 label="dashboard.download.xlsx"))

    @app.command("/rkkp-close", middleware=[requires(Act.CLOSE_HEARING)])
    def close(ack, command, respond):
        ack()
        with answering(respond, lang):
            wanted, _, message = (command.get("text") or "").strip().partition(" ")
            closing = hearings.close_hearing(store, hearings.hearing_number(wanted), message, clock(),
                                             by=command.get("user_name", ""))
            on_queued(hearings.hearing_number(wanted))
            respond(**render_hearings.closed_message(hearings.hearing_number(wanted), closing, lang))
