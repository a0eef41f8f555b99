"""Fixtures shared by the suite: a seeded store in a temporary folder, the
API app over it with a fixed clock, and tokens of each role."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api import create_app
from api.config import Settings
from data import Store
from handlers.seeding import seed_directory
from handlers.tokens import create_token

# A Monday morning in Copenhagen; tests that need time pass it explicitly.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "var" / "kkrbot.json"


@pytest.fixture
def store(db_path):
    store = Store(db_path)
    seed_directory(store, NOW)
    return store


@pytest.fixture
def settings(db_path):
    return Settings(db_path=str(db_path), lang="da")


@pytest.fixture
def app(settings, store):
    return create_app(settings, store=store, clock=lambda: NOW)


@pytest.fixture
def client(app, store):
    """A test client that reads as RKKP staff (a reader token) unless a
    request sends its own Authorization header."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = _bearer(store, "reader", "staff reader")["Authorization"]
    return client


@pytest.fixture
def anonymous(app):
    """A test client without any token."""
    return app.test_client()


def _bearer(store, role, name=None):
    token, _ = create_token(store, role, name or f"test {role}", NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(store):
    """Headers of an admin token."""
    return _bearer(store, "admin")


@pytest.fixture
def reader(store):
    """Headers of a reader token."""
    return _bearer(store, "reader")
