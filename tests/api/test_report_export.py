"""The hearing report as files people open: CSV that a spreadsheet shows as
text (no live formulas), Excel's dialect, and Markdown with user text escaped."""

import csv
import io

import pytest

from handlers import ack_tokens, broadcasts, deliveries
from handlers.directory_admin import set_region_contact
from handlers.tokens import create_token
from tests.conftest import NOW

FORMULA = '=HYPERLINK("http://evil","x")'
TITLE = "Indikatorer <script>alert(1)</script> *fed*"
REPLY = "-5 % er for lidt.\n<script>alert(1)</script>\n# Ikke en overskrift\n| a | b |\n[x](javascript:alert(1))"


@pytest.fixture
def consultant(store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hearing(client, store):
    """A hearing whose Midtjylland contact, named like a formula, has replied from the e-mail page."""
    set_region_contact(store, "1082", {"name": FORMULA, "email": "jt@viborg.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": TITLE,
                                                    "deadline": "2026-12-15"}, by="Anne Nakano", now=NOW)
    secret = ack_tokens.server_secret(store)
    for item in deliveries.claim_due(store, NOW, secret):
        deliveries.record_sent(store, item, "email", {}, NOW)
    link = "/ack/" + ack_tokens.make(secret, status["id"], 2)
    assert client.post(link + "/reply", data={"text": REPLY}).status_code == 200
    return status["id"]


def midtjylland(rows: list[list[str]]) -> dict:
    header = rows[0]
    return next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == "1082")


def test_report_csv_cells_never_start_a_formula(client, consultant, hearing):
    response = client.get(f"/api/hearings/{hearing}/report?format=csv", headers=consultant)
    assert response.status_code == 200
    row = midtjylland(list(csv.reader(io.StringIO(response.get_data(as_text=True)))))
    assert row["by"] == "'" + FORMULA
    assert row["text"] == "'" + REPLY


def test_report_csv_for_excel_has_a_bom_and_semicolons(client, consultant, hearing):
    response = client.get(f"/api/hearings/{hearing}/report?format=csv&excel=1", headers=consultant)
    data = response.get_data()
    assert response.status_code == 200 and data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("region_code;region;municipality_code;")
    row = midtjylland(list(csv.reader(io.StringIO(text), delimiter=";")))
    assert row["by"] == "'" + FORMULA
    assert client.get(f"/api/hearings/{hearing}/report?format=csv&excel=maybe",
                      headers=consultant).status_code == 422


def test_markdown_report_escapes_user_text_and_keeps_its_own_formatting(client, consultant, hearing):
    markdown = client.get(f"/api/hearings/{hearing}/report?format=md", headers=consultant).get_data(as_text=True)
    assert "<script>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert markdown.startswith("# Høringsrapport: DHRD – Indikatorer &lt;script&gt;alert(1)&lt;/script&gt; \\*fed\\*\n")
    assert "## Region Midtjylland\n" in markdown
    assert "> \\# Ikke en overskrift\n" in markdown and "> \\-5 % er for lidt.\n" in markdown
    assert "> \\| a \\| b \\|\n" in markdown
    assert "> \\[x\\](javascript:alert(1))" in markdown
