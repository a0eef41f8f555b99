"""``/rkkp-status`` in Slack carries a button with a single-use sign-in
link to the dashboard, for the consultant who asked (issue 14)."""

import re

from tests.bot.test_slack_broadcasts import SECRET, slack  # noqa: F401 - the fixture
from tests.support.http import call
from tests.support.slack_signing import slash_command


def test_rkkp_status_offers_a_sign_in_link_that_works_once(slack):  # noqa: F811 - the fixture
    slash_command(slack["events"], SECRET, "/rkkp-status", "", "UANNE", slack["respond"] + "status")
    answer = slack["fake"].wait_for("response_url")[0]
    buttons = [e for b in answer["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]
    url = next(b["url"] for b in buttons if "/status/sign-in/" in b.get("url", ""))
    path = re.search(r"(/status/sign-in/[\w-]+)$", url).group(1)
    client = slack["app"].test_client()
    form = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    assert client.post(path, data={"csrf": token}).status_code == 303
    assert client.get("/status").status_code == 200
    other = slack["app"].test_client()
    form = other.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    assert other.post(path, data={"csrf": token}).status_code == 403
    assert call("GET", slack["base"] + "/api/health")[0] == 200
    entries = [e for e in slack["app"].config["STORE"].audit.entries() if e["action"] == "sign_in"]
    assert [e["actor"] for e in entries] == ["web:slack:UANNE"]
