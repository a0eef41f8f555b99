"""``python -m bot serve``: one process for development and small sites.

Serves the API and the Slack endpoint with Werkzeug's threaded server (or
connects to Slack over Socket Mode when ``SLACK_APP_TOKEN`` is set) and runs
the reminder scheduler in a thread.  Production runs gunicorn and a separate
``clock`` process from the Procfile instead.
"""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import run_simple

from api.config import Settings
from bot.web import create_web_app


def serve(settings: Settings, port: int | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_web_app(settings)
    if settings.slack_app_token and "BOLT" in app.config:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.slack_http import once_per_socket_event
        from data.seen import SeenRequests

        bolt = app.config["BOLT"]
        bolt.use(once_per_socket_event(SeenRequests.beside(app.config["STORE"].path)))
        SocketModeHandler(bolt, settings.slack_app_token).connect()
    from bot import scheduler

    jobs = scheduler.build(app.config["STORE"], app.config["DISPATCHER"], app.config["CLOCK"], settings.tz,
                           weekly=settings.digest)
    threading.Thread(target=scheduler.run_forever, args=(jobs,), name="kkr-scheduler", daemon=True).start()
    port = port or settings.port
    logging.getLogger("kkr-bot").info("serving on http://0.0.0.0:%s (API under /api/)", port)
    run_simple("0.0.0.0", port, app, threaded=True, use_reloader=False)
    return 0
