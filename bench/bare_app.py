"""The baselines: a bare Flask route and a Bolt app that only acks, each the
least an app can do for the same request.

The bare route answers each place with the very JSON kkr-bot gives for it,
read once at start from the file ``BENCH_ANSWERS`` names (the benchmark
writes it from the real look-up): no token, no look-up, no audit entry."""

import json
import os
from pathlib import Path

from flask import Flask, abort, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

app = Flask(__name__)
app.json.ensure_ascii = False
app.json.sort_keys = False
_FILE = os.environ.get("BENCH_ANSWERS")
ANSWERS = json.loads(Path(_FILE).read_text(encoding="utf-8")) if _FILE else {}


@app.get("/api/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/api/regions/<path:region>/contact")
def contact(region):
    if region not in ANSWERS:
        abort(404)
    return jsonify(ANSWERS[region])


def minimal_bolt(signing_secret: str, client) -> Flask:
    bolt = App(signing_secret=signing_secret, client=client)

    @bolt.command("/kkr")
    def only_ack(ack):
        ack()

    handler = SlackRequestHandler(bolt)
    web = Flask("minimal-bolt")
    web.add_url_rule("/slack/events", "events", lambda: handler.handle(request), methods=["POST"])
    return web
