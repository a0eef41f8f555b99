"""Headers on every answer: the HTML pages (the e-mailed ``/ack/...`` page
carries its token in the URL) get a Content-Security-Policy, no referrer
and no caching; every answer gets nosniff, and every dynamic one no-store
(they carry contact data, replies or tokens)."""

import re

import pytest

from tests.conftest import NOW
from tests.support.acks import ack_path

CSP_PARTS = ("default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'")


@pytest.fixture
def link(store):
    return ack_path(store, NOW)


def _html_headers_are_set(response):
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert all(part in policy for part in CSP_PARTS), policy
    assert "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_ack_page_and_its_answers_carry_the_html_headers(anonymous, link):
    _html_headers_are_set(anonymous.get(link))
    _html_headers_are_set(anonymous.post(link))
    missing = anonymous.get("/ack/1-1-" + "0" * 32)
    assert missing.status_code == 404
    _html_headers_are_set(missing)


def test_the_ack_page_has_no_inline_style_or_script(anonymous, link):
    html = anonymous.get(link).get_data(as_text=True)
    assert not re.search(r"<style|<script|\sstyle=|\son\w+=", html, re.IGNORECASE)
    sheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)"', html)
    assert sheet, html
    css = anonymous.get(sheet[1])
    assert css.status_code == 200 and css.mimetype == "text/css" and b"font-family" in css.data
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in css.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/api/regions", "/api/regions/Atlantis/contact", "/api/health"])
def test_json_answers_are_nosniff_and_not_stored(client, path):
    response = client.get(path)
    assert response.is_json
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response.headers


def test_refused_requests_are_nosniff_and_not_stored(anonymous):
    response = anonymous.get("/api/contacts")
    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_only_answers_that_say_how_they_may_be_cached_are_cached(anonymous):
    sheet = anonymous.get("/swagger-ui/swagger-ui.css")
    assert sheet.status_code == 200
    assert "max-age=86400" in sheet.headers["Cache-Control"] and "no-store" not in sheet.headers["Cache-Control"]
    assert sheet.headers["X-Content-Type-Options"] == "nosniff"
    assert sheet.headers.getlist("Cache-Control") == [sheet.headers["Cache-Control"]]  # one, not one added
    for missing in ("/swagger-ui/nothing.css", "/static/nothing.css"):
        refused = anonymous.get(missing)
        assert refused.status_code == 404 and refused.headers["Cache-Control"] == "no-store"


def test_the_api_reference_keeps_its_own_policy(anonymous):
    page = anonymous.get("/api/docs")
    assert page.headers.getlist("Content-Security-Policy") == [page.headers["Content-Security-Policy"]]
    assert "img-src 'self' data:" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
