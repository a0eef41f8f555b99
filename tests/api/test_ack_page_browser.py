"""The e-mailed acknowledgement page in a real headless Chromium: it is
styled under its Content-Security-Policy without a single violation, and
its button acknowledges."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

from handlers.i18n import t
from tests.conftest import NOW
from tests.support.acks import ack_path
from tests.support.servers import serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Reports every CSP violation of the page, whether or not Chromium logs it.
WATCH = ("window.__violations = [];"
         "document.addEventListener('securitypolicyviolation',"
         " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _looks_styled(page) -> None:
    """The stylesheet applied: the page's width and the button's colour come from it."""
    assert page.eval_on_selector("body", "b => getComputedStyle(b).maxWidth") == "640px"
    assert page.eval_on_selector("button", "b => getComputedStyle(b).backgroundColor") == "rgb(29, 79, 115)"


@pytest.mark.slow
def test_the_ack_page_is_styled_under_its_policy_and_acknowledges(browser, app, store):
    link = ack_path(store, NOW)
    console = []
    with serve_in_thread(app) as base:
        page = browser.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.add_init_script(WATCH)
        response = page.goto(base + link)
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        _looks_styled(page)
        with page.expect_navigation():
            page.click("text=" + t("page.ack_button", "da"))
        assert t("ack.done", "da") in page.inner_text("body")
        _looks_styled(page)
        violations = page.evaluate("window.__violations")
        page.close()
    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line], console
