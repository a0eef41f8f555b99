"""Property-based tests of the whole API from its own OpenAPI document:
no input a client sends gets a server error, and every answer fits the
document.  Write routes run with tokens, so they are exercised too."""

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api import create_app
from api.config import Settings
from data import Store
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.conftest import NOW


def _app(folder):
    store = Store(folder / "kkrbot.json")
    seed_directory(store, NOW)
    app = create_app(Settings(db_path=str(store.path)), store=store, clock=lambda: NOW)
    token, _ = create_token(store, "admin", "schemathesis", NOW)
    app.config["TEST_TOKEN"] = token
    return app


FOLDER = Path(tempfile.mkdtemp(prefix="kkrbot-fuzz-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)
APP = _app(FOLDER)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.slow
def test_no_server_errors_and_answers_fit_the_document(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {APP.config['TEST_TOKEN']}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
