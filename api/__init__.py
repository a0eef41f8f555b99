"""The JSON API: ``create_app(settings, store)`` builds the Flask app.

Flask and the blueprints are imported when an app is built, not with the
package: the shell and the CLI read ``api.config`` and must not pay for the
web stack (see tests/bot/test_startup_imports.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from api.config import Settings
from data import Store
from handlers.i18n import set_zone
from handlers.migration import migrate
from handlers.seeding import seed_directory

if TYPE_CHECKING:
    from flask import Flask


def create_app(settings: Settings | None = None, store: Store | None = None, clock=None) -> Flask:
    """The API app over ``store`` (by default the TinyDB file of ``settings``),
    seeded with the directory on first start.  ``clock`` returns the current
    time; tests pass their own."""
    from zoneinfo import ZoneInfo

    from flask import Flask

    settings = settings or Settings.from_env()
    store = store or Store(settings.db_path)
    zone = ZoneInfo(settings.tz)
    set_zone(settings.tz)
    clock = clock or (lambda: datetime.now(zone))
    store.recover()
    store.audit.journal_reads()  # many threads record reads: see data.audit_journal
    seed_directory(store, clock())
    migrate(store, clock(), settings.tz)

    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings, STORE=store, CLOCK=clock, LANG=settings.lang,
        MAX_CONTENT_LENGTH=settings.max_body_bytes, ON_QUEUED=lambda broadcast_id: None,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    _mount(app)
    return app


def _mount(app: Flask) -> None:
    """The error handlers, the headers and every blueprint."""
    from api import (
        acks,
        audit,
        broadcasts,
        contacts,
        dashboard,
        databases,
        digest,
        errors,
        headers,
        hearings,
        meta,
        municipalities,
        regions,
    )

    errors.register(app)
    app.wsgi_app = headers.SecureHeaders(app.wsgi_app)
    for blueprint in (meta.bp, regions.bp, municipalities.bp, contacts.bp, broadcasts.bp, hearings.bp, audit.bp,
                      databases.bp, acks.bp, dashboard.bp, meta.files, digest.bp):
        app.register_blueprint(blueprint)
