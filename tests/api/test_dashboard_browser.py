"""The dashboard in a real headless Chromium (Debian's, launched by path;
Playwright downloads no browser) against ``python -m bot serve`` on
loopback: sign in from an e-mailed link, open a broadcast, read a
municipality's state from the map, download the report, sign out; a reused
or stale link and a form without its CSRF token are refused.

Screenshots at 1280 and 390 px wide are saved as test artefacts in
``var/test-artifacts/dashboard/`` (or ``$KKRBOT_TEST_ARTIFACTS``)."""

import email
import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from handlers import overview, signin
from handlers.directory_csv import import_csv
from handlers.i18n import t
from tests.conftest import NOW
from tests.support.factories import forwarded_hearing
from tests.support.procs import ROOT, bot_env, start_serve
from tests.support.smtp import free_port
from tests.support.waiting import wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(os.environ.get("KKRBOT_TEST_ARTIFACTS") or ROOT / "var" / "test-artifacts" / "dashboard")
ANNE = "anne@rkkp.dk"
WATCH = ("window.__violations = [];"
         "document.addEventListener('securitypolicyviolation',"
         " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


@pytest.fixture
def served(store, db_path):
    import_csv(store, "role,place,name,email\nconsultant,,Anne Nakano,anne@rkkp.dk\n", NOW)
    hearing = forwarded_hearing(store)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, base = start_serve(bot_env(db_path, PORT=port, KKRBOT_PUBLIC_URL=base, KKRBOT_LANG="da"))
    try:
        yield {"base": base, "hearing": hearing, "outbox": db_path.parent / "outbox"}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def mailed_link(outbox: Path) -> str:
    found = wait_until(lambda: list(outbox.glob("signin-*.eml")), timeout=10)
    body = email.message_from_bytes(found[0].read_bytes(), policy=policy.default).get_content()
    return re.search(r"(http://127\.0\.0\.1:\d+/status/sign-in/\S+)", body).group(1)


@pytest.mark.slow
def test_sign_in_read_the_map_download_the_report_and_sign_out(browser, served, store, tmp_path):
    base, hearing = served["base"], served["hearing"]
    page = browser.new_page(accept_downloads=True)
    page.add_init_script(WATCH)
    page.goto(base + "/status")
    assert page.url.endswith("/status/sign-in")
    shoot(page, "sign-in")
    page.fill("#email", ANNE)
    page.get_by_role("button", name=t("signin.ask", "da")).click()
    assert t("signin.sent", "da") in page.inner_text("main")
    link = mailed_link(served["outbox"])
    page.goto(link)
    with page.expect_navigation():
        page.get_by_role("button", name=t("signin.button", "da")).click()
    assert page.url == base + "/status", page.inner_text("main")
    assert hearing["title"] in page.inner_text("main")
    shoot(page, "broadcasts")

    page.click(f"text={hearing['title']}")
    page.wait_for_url(f"**/status/broadcasts/{hearing['id']}")
    page.focus("#m-0791")
    state = overview.municipal_states(store, {**hearing, "kind": "hearing"}, overview.EVERYTHING,
                                      datetime.now(UTC))["0791"]
    expected = f"Viborg: Bo Ek – {t('dashboard.map.' + state, 'da')}"
    assert page.inner_text("#map-info") == expected
    assert page.get_attribute("#m-0791", "data-state") == state
    page.hover("#m-0851")
    assert page.inner_text("#map-info").startswith("Aalborg: ")
    page.focus("#m-0791")
    shoot(page, "broadcast")

    with page.expect_download() as download:
        page.click("text=" + t("dashboard.download.csv", "da"))
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"hoeringsrapport-{hearing['id']}.csv" and "Viborg" in saved.read_text(encoding="utf-8")

    with page.expect_navigation():
        page.get_by_role("button", name=t("dashboard.sign_out", "da")).click()
    assert page.url.endswith("/status/sign-in")
    page.goto(base + "/status")
    assert page.url.endswith("/status/sign-in")
    assert page.evaluate("window.__violations") == []

    page.goto(link)  # the link again: it worked once
    with page.expect_navigation():
        page.get_by_role("button", name=t("signin.button", "da")).click()
    assert t("signin.link_used", "da") in page.inner_text("main")
    page.close()


@pytest.mark.slow
def test_a_stale_link_and_a_form_without_its_csrf_token_are_refused(browser, served, store):
    base = served["base"]
    stale = signin.issue_link(store, signin.person_for_email(store, ANNE),
                              datetime.now(UTC) - timedelta(minutes=20), by="test")
    page = browser.new_page()
    page.goto(f"{base}/status/sign-in/{stale}")
    with page.expect_navigation():
        page.get_by_role("button", name=t("signin.button", "da")).click()
    assert t("signin.link_expired", "da") in page.inner_text("main")
    page.goto(base + "/status")
    assert page.url.endswith("/status/sign-in")

    fresh = signin.issue_link(store, signin.person_for_email(store, ANNE), datetime.now(UTC), by="test")
    page.goto(f"{base}/status/sign-in/{fresh}")
    page.evaluate("document.querySelector('input[name=csrf]').remove()")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=t("signin.button", "da")).click()
    assert navigation.value.status == 400
    assert t("signin.csrf", "da") in page.inner_text("main")
    page.goto(base + "/status")
    assert page.url.endswith("/status/sign-in")  # not signed in, and the link is still unused
    page.close()
