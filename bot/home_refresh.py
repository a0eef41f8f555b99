"""The Slack Home tab published again for the people a new message reached.

Whenever the dispatcher has recorded a DM as sent, the recipient's Home tab
would list it (a notice to acknowledge, a hearing to answer) or drop it (a
hearing closed).  ``HomeRefresher`` republishes it in a thread of its own,
so the sending of a fan-out never waits for it, and each person once per
round however many of their messages went out meanwhile.  ``views.publish``
works for any member of the workspace, and Slack shows the view the next
time they open the tab; so no record is kept of who has opened it (a
Slack ID more to erase), and every recipient's tab is kept current.  Calls
go through the client's pacer (``views.publish`` is Tier 4, see
``bot.slack_limits``), shared with the listeners' publishes.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.render import home as render_home
from bot.slack_limits import pacer_of
from handlers import home

log = logging.getLogger(__name__)


def publish_home(client: WebClient, store, settings, user: str, now: datetime) -> None:
    """Publish ``user``'s Home tab as the store has it at ``now``, paced."""
    view = render_home.home_view(home.home(store, user, now), settings.link_base, settings.lang)
    with pacer_of(client).call("views.publish"):
        client.views_publish(user_id=user, view=view)


class HomeRefresher:
    """Republishes Home tabs in the background; ``refresh(user, now)`` asks for one."""

    def __init__(self, client: WebClient, store, settings):
        self.client, self.store, self.settings = client, store, settings
        self._pending: dict[str, datetime] = {}  # user → the newest time a change of theirs was recorded
        self._lock = threading.Lock()
        self._running = False

    def refresh(self, user: str, now: datetime) -> None:
        """Publish ``user``'s Home tab soon; never waits, never raises."""
        with self._lock:
            self._pending[user] = now
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._drain, name="kkr-home-refresh", daemon=True).start()

    def _drain(self) -> None:
        # The thread lives while there is work: no idle thread per channel.
        while True:
            with self._lock:
                if not self._pending:
                    self._running = False
                    return
                user, now = self._pending.popitem()
            try:
                publish_home(self.client, self.store, self.settings, user, now)
            except (SlackClientError, OSError) as error:  # the next opening of the tab publishes it again
                log.warning("views.publish for %s failed: %s", user, error)
            except Exception:  # noqa: BLE001 - a bad record must not stop the other homes
                log.exception("Home tab of %s not published", user)
