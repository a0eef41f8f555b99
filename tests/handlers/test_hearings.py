"""Hearing replies, the report in three formats, and closing."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers import ack_tokens, broadcasts, deliveries, forwarding, hearings, report
from handlers.directory_admin import set_municipality_contact
from handlers.errors import Conflict, Forbidden, Invalid, NotFound
from tests.conftest import NOW

CPH = ZoneInfo("Europe/Copenhagen")
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer",
           "link": "https://www.rkkp.dk/dhrd", "deadline": "2026-12-15"}


@pytest.fixture
def hearing(store):
    """A hearing sent to the five regions and forwarded in Midtjylland to
    Viborg and Aarhus; Jonas (UJONAS) and Bo (UBO) are on Slack."""
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Aarhus", {"name": "Eva Lund", "email": "eva@aarhus.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
    secret = ack_tokens.server_secret(store)
    users = {"jt@viborg.dk": "UJONAS", "bo@viborg.dk": "UBO"}
    ids = {}

    def send():
        for item in deliveries.claim_due(store, NOW, secret):
            deliveries.record_sent(store, item, "slack", {"user": users.get(item.recipient["email"])}, NOW)
            ids[item.municipality_name or item.region_name] = item.delivery_id

    send()
    forwarding.forward(store, status["id"], "1082", NOW, by="Jonas")
    send()
    return status["id"], ids


def test_a_municipal_reply_is_stored_and_shown_to_the_kkr_contact(store, hearing):
    hearing_id, ids = hearing
    saved = hearings.reply_by_delivery(store, hearing_id, ids["Viborg"], "Viborg støtter indikator 3.", NOW,
                                       slack_user="UBO")
    assert (saved["kind"], saved["municipality"], saved["by"], saved["late"]) == ("municipal", "0791", "Bo Ek", False)
    context = hearings.reply_context(store, hearing_id, ids["Region Midtjylland"], slack_user="UJONAS")
    assert context["municipal_replies"] == [
        {"municipality": "Viborg", "text": "Viborg støtter indikator 3.", "by": "Bo Ek", "late": False}]
    row = next(r for r in broadcasts.status(store, hearing_id)["regions"] if r["region"]["code"] == "1082")
    assert row["municipal_replies"] == ["Viborg"] and row["reply"] is None


def test_only_the_recipient_replies(store, hearing):
    hearing_id, ids = hearing
    with pytest.raises(Forbidden):
        hearings.reply_by_delivery(store, hearing_id, ids["Viborg"], "x", NOW, slack_user="UJONAS")
    with pytest.raises(Forbidden):
        hearings.reply_context(store, hearing_id, ids["Region Midtjylland"], slack_user="UBO")
    assert hearings.replies(store, hearing_id) == []


def test_consolidated_reply_can_be_revised_and_late_is_marked(store, hearing):
    hearing_id, ids = hearing
    first = hearings.reply_by_delivery(store, hearing_id, ids["Region Midtjylland"], "Udkast", NOW,
                                       slack_user="UJONAS")
    assert first["kind"] == "regional" and not first["late"]
    on_deadline = datetime(2026, 12, 15, 23, 30, tzinfo=CPH)
    revised = hearings.reply_by_delivery(store, hearing_id, ids["Region Midtjylland"], "Endeligt svar", on_deadline,
                                         slack_user="UJONAS")
    assert revised["text"] == "Endeligt svar" and not revised["late"]
    assert [h["text"] for h in revised["history"]] == ["Udkast"]
    after = datetime(2026, 12, 16, 0, 5, tzinfo=CPH)
    late = hearings.reply_for(store, hearing_id, "Syddanmark", "Sent svar", after, by="Anne")
    assert late["late"] is True
    rows = {r["region"]["code"]: r for r in broadcasts.status(store, hearing_id)["regions"]}
    assert rows["1082"]["reply"]["by"] == "Jonas Thor Björnson" and rows["1083"]["reply"]["late"] is True
    assert rows["1081"]["reply"] is None


@pytest.mark.parametrize("text", ["", "   ", None, "x" * 20_001])
def test_empty_or_huge_replies_are_refused(store, hearing, text):
    hearing_id, ids = hearing
    with pytest.raises(Invalid):
        hearings.reply_by_delivery(store, hearing_id, ids["Viborg"], text, NOW)
    assert hearings.replies(store, hearing_id) == []


def test_replies_need_a_hearing(store):
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt"}, by="A",
                                            now=NOW)
    with pytest.raises(Conflict):
        hearings.reply_for(store, status["id"], "1082", "svar", NOW, by="A")
    with pytest.raises(NotFound):
        hearings.reply_for(store, 77, "1082", "svar", NOW, by="A")
    with pytest.raises(Invalid):
        hearings.reply_for(store, status["id"], "1082", "svar", NOW, by="A", municipality="Odense")


def test_the_report_in_json(store, hearing):
    hearing_id, ids = hearing
    hearings.reply_by_delivery(store, hearing_id, ids["Viborg"], "Viborg: enig.", NOW)
    hearings.reply_by_delivery(store, hearing_id, ids["Region Midtjylland"], "Midtjylland: samlet enig.",
                               NOW + timedelta(days=1))
    late = datetime(2026, 12, 16, 10, 0, tzinfo=CPH)
    hearings.reply_for(store, hearing_id, "1083", "Syddanmark: forbehold.", late, by="Mia Mandau")
    found = report.hearing_report(store, hearing_id)
    assert found["hearing"]["id"] == hearing_id and found["hearing"]["database"] == "DHRD"
    assert found["hearing"]["deadline"] == "2026-12-15"
    mid = next(r for r in found["regions"] if r["region"]["code"] == "1082")
    assert mid["reply"] == {"text": "Midtjylland: samlet enig.", "by": "Jonas Thor Björnson",
                            "at": (NOW + timedelta(days=1)).isoformat(timespec="seconds"), "late": False}
    assert mid["municipal_replies"] == [{"municipality": {"code": "0791", "name": "Viborg"}, "text": "Viborg: enig.",
                                         "by": "Bo Ek", "at": NOW.isoformat(timespec="seconds"), "late": False}]
    assert mid["municipalities_without_reply"] == ["Aarhus"]
    assert len(mid["not_reached"]) == 17
    south = next(r for r in found["regions"] if r["region"]["code"] == "1083")
    assert south["reply"]["late"] is True and south["reply"]["by"] == "Mia Mandau"
    assert found["missing_regions"] == ["Region Nordjylland", "Region Hovedstaden", "Region Sjælland"]
    assert len(found["missing_municipalities"]) == 97 and "Aarhus" in found["missing_municipalities"]
    assert found["municipality_counts"] == {"total": 98, "replied": 1, "without_reply": 1, "not_reached": 17,
                                            "not_delivered": 0, "not_forwarded": 79}


def test_the_report_in_markdown_and_csv(store, hearing):
    hearing_id, ids = hearing
    hearings.reply_by_delivery(store, hearing_id, ids["Viborg"], "Viborg: enig.", NOW)
    hearings.reply_for(store, hearing_id, "1083", "Syddanmark: forbehold.", datetime(2026, 12, 16, tzinfo=CPH),
                       by="Mia Mandau")
    found = report.hearing_report(store, hearing_id)
    markdown = report.to_markdown(found, "da")
    assert markdown.startswith("# Høringsrapport: DHRD – Kommunale indikatorer\n")
    assert "Høringsfrist: 15. december 2026" in markdown
    assert "## Region Midtjylland\n\n_Intet samlet høringssvar._" in markdown
    assert "### Viborg\n\nFra Bo Ek den " in markdown and "> Viborg: enig." in markdown
    assert "Fra Mia Mandau den 16. december 2026 kl. 00.00 **(modtaget efter fristen)**" in markdown
    assert "Regioner uden samlet svar: Region Nordjylland, Region Midtjylland, Region Hovedstaden, Region Sjælland" \
        in markdown
    assert "- Modtaget, uden svar (1): Aarhus" in markdown and "Kommuner uden svar: 97 af 98" in markdown
    assert "Hearing report: DHRD" in report.to_markdown(found, "en")

    rows = list(csv.DictReader(io.StringIO(report.to_csv(found))))
    assert rows[0].keys() == set(report.CSV_COLUMNS)
    by_key = {(r["region_code"], r["municipality"], r["level"]): r for r in rows}
    assert by_key[("1082", "Viborg", "municipal")]["text"] == "Viborg: enig."
    assert by_key[("1082", "Viborg", "municipal")]["status"] == "replied"
    assert by_key[("1082", "Aarhus", "municipal")]["status"] == "no_reply"
    assert by_key[("1083", "", "regional")]["status"] == "late" and by_key[("1083", "", "regional")]["late"] == "yes"
    assert by_key[("1081", "", "regional")]["status"] == "no_reply"
    assert len(rows) == 5 + 98 + 1  # the regions, every municipality, the totals


def test_closing_sends_the_final_message_to_everyone_who_got_the_hearing(store, hearing):
    hearing_id, _ = hearing
    record = hearings.close_hearing(store, hearing_id, "De endelige indikatorer er 1-4.", NOW, by="Anne")
    assert record["queued"] == 6  # five regions (the KL contact once for two) and two municipalities
    closing = deliveries.claim_due(store, NOW, ack_tokens.server_secret(store))
    assert len(closing) == 6 and {i.purpose for i in closing} == {"closing"}
    assert {i.message["text"] for i in closing} == {"De endelige indikatorer er 1-4."}
    with pytest.raises(Conflict):
        hearings.close_hearing(store, hearing_id, "igen", NOW, by="Anne")
    with pytest.raises(Conflict):
        hearings.reply_for(store, hearing_id, "1082", "for sent", NOW, by="Anne")
    assert report.hearing_report(store, hearing_id)["hearing"]["closed_at"]
