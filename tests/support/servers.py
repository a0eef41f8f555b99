"""Real HTTP servers on loopback for tests: a WSGI app served from a thread."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serve_in_thread(wsgi_app, port: int = 0):
    """Serve ``wsgi_app`` on 127.0.0.1 (on a free port unless given); yields
    the base URL."""
    server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Clock:
    """A clock the test moves: ``clock()`` is now, ``clock.advance(...)``."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, delta):
        self.now += delta
        return self.now
