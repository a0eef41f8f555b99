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


def test_rkkp_report_offers_the_excel_workbook_through_a_single_use_sign_in_link(slack):  # noqa: F811
    """The button signs the consultant in (the link's page, its button) and
    lands on the workbook, read as theirs; the link works once."""
    import io

    from openpyxl import load_workbook

    from tests.bot.test_slack_broadcasts import submit

    assert submit(slack)[0] == 200
    slash_command(slack["events"], SECRET, "/rkkp-report", "1", "UANNE", slack["respond"] + "report")
    answer = slack["fake"].wait_for("response_url")[0]
    buttons = [e for b in answer["blocks"] for e in b.get("elements", []) if e.get("type") == "button"]
    excel = next(b for b in buttons if "/status/sign-in/" in b.get("url", ""))
    assert excel["text"]["text"] == "Hent som Excel (xlsx)"
    path = re.search(r"(/status/sign-in/[\w-]+)$", excel["url"]).group(1)
    client = slack["app"].test_client()
    form = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    signed_in = client.post(path, data={"csrf": token})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/status/broadcasts/1/report.xlsx"
    workbook = client.get(signed_in.headers["Location"])
    assert workbook.status_code == 200 and workbook.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(workbook.data)).sheetnames[0] == "Oversigt"
    reads = [e["actor"] for e in slack["app"].config["STORE"].audit.entries() if e["action"] == "read_report"]
    assert "web:slack:UANNE" in reads
    again = slack["app"].test_client()
    form = again.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    assert again.post(path, data={"csrf": token}).status_code == 403
