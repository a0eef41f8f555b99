"""A fake Slack Socket Mode endpoint: a WebSocket server on loopback.

Slack's ``apps.connections.open`` (answered by the fake Web API) hands the
app this server's ``ws://`` URL; the server greets with ``hello`` as Slack
does, pushes the envelopes a test gives it and records the app's acks.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import serve

from tests.support.waiting import wait_until


class FakeSocketMode:
    def __init__(self):
        self.acks: list[dict] = []
        self._connections: list = []
        self._lock = threading.Lock()
        self.url = ""

    def handle(self, connection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        with self._lock:
            self._connections.append(connection)
        try:
            for message in connection:
                with self._lock:
                    self.acks.append(json.loads(message))
        except ConnectionClosed:
            pass

    def wait_connected(self, timeout: float = 20.0):
        with_connection = wait_until(lambda: self._connections, timeout, what="a Socket Mode connection from the app")
        return with_connection[-1]

    def push(self, envelope_type: str, payload: dict, envelope_id: str) -> None:
        """Send one event to the connected app, as Slack does."""
        envelope = {"envelope_id": envelope_id, "type": envelope_type, "payload": payload,
                    "accepts_response_payload": envelope_type != "events_api"}
        self.wait_connected().send(json.dumps(envelope))

    def ack_of(self, envelope_id: str, timeout: float = 10.0) -> dict:
        def acks_of_envelope():
            with self._lock:
                return [ack for ack in self.acks if ack.get("envelope_id") == envelope_id]

        return wait_until(acks_of_envelope, timeout, what=f"the ack of envelope {envelope_id}")[0]


@contextmanager
def fake_socket_mode():
    fake = FakeSocketMode()
    with serve(fake.handle, "127.0.0.1", 0) as server:
        fake.url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            server.shutdown()
            thread.join(timeout=5)
