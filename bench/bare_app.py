"""The baselines: a bare Flask route and a Bolt app that only acks, each the
least an app can do for the same request."""

from flask import Flask, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

app = Flask(__name__)


@app.get("/api/regions/<path:region>/contact")
def contact(region):
    return jsonify({"region": {"code": "1082", "name": region}, "status": "active", "contact": None})


def minimal_bolt(signing_secret: str, client) -> Flask:
    bolt = App(signing_secret=signing_secret, client=client)

    @bolt.command("/kkr")
    def only_ack(ack):
        ack()

    handler = SlackRequestHandler(bolt)
    web = Flask("minimal-bolt")
    web.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    return web
