"""``GET /api/`` introduces the API, and ``/api/docs`` renders its
reference with Swagger UI served from our own origin (a pinned wheel, no
CDN), under the pages' Content-Security-Policy."""

import re

import pytest

from tests.api.test_ack_page_browser import WATCH, browser  # noqa: F401 - the module's browser fixture
from tests.api.test_security_headers import _html_headers_are_set
from tests.support.servers import serve_in_thread


def test_the_api_root_names_itself_and_links_its_document_and_docs(anonymous):
    response = anonymous.get("/api/")
    assert response.status_code == 200
    assert response.json["name"] == "kkr-bot API" and response.json["version"] == "1.0.0"
    assert response.json["links"]["openapi"] == "/api/openapi.json"
    assert response.json["links"]["docs"] == "/api/docs"


def test_the_docs_page_loads_only_its_own_files(anonymous):
    page = anonymous.get("/api/docs")
    assert page.status_code == 200
    _html_headers_are_set(page)
    html = page.get_data(as_text=True)
    assert not re.search(r"<style|<script>|\sstyle=|\son\w+=", html, re.IGNORECASE)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        answer = anonymous.get(source)
        assert answer.status_code == 200, source
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get("/swagger-ui/..%2Fopenapi.py").status_code == 404
    assert anonymous.get("/swagger-ui/swagger-ui.js.map").status_code == 404


@pytest.mark.slow
def test_the_docs_page_renders_the_reference_in_a_browser(browser, app):  # noqa: F811
    console = []
    with serve_in_thread(app) as base:
        page = browser.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.add_init_script(WATCH)
        assert page.goto(base + "/api/docs").status == 200
        page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        assert "kkr-bot API" in page.inner_text(".swagger-ui .info .title")
        page.wait_for_selector('.opblock-summary-path[data-path="/api/broadcasts"]', timeout=15_000)
        violations = page.evaluate("window.__violations")
        page.screenshot(path="/tmp/fh/api-docs.png")
        page.close()
    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line], console
