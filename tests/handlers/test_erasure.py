"""Forgetting a person: gone from the directory, pseudonymised in history."""

import pytest

from handlers import ack_tokens, broadcasts, deliveries, directory, hearings, report
from handlers.erasure import forget, pseudonym
from handlers.errors import NotFound
from tests.conftest import NOW


def test_forget_removes_the_contact_and_pseudonymises_history(store, db_path):
    status, _ = broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": "H",
                                                    "deadline": "2026-12-15"}, by="Anne", now=NOW)
    for item in deliveries.claim_due(store, NOW, ack_tokens.server_secret(store)):
        deliveries.record_sent(store, item, "email", {}, NOW)
    jonas = next(r for r in status["regions"] if r["region"]["code"] == "1082")["delivery"]
    deliveries.acknowledge(store, status["id"], jonas, NOW)
    hearings.reply_by_delivery(store, status["id"], jonas, "Midtjylland: enig.", NOW)
    directory.find_contact(store, "Midtjylland", actor="Jonas Thor Björnson", now=NOW)

    done = forget(store, "JT@viborg.dk", NOW, by="admin")
    alias = pseudonym("jt@viborg.dk")
    assert done["pseudonym"] == alias and done["contacts"] == 1 and done["history"] >= 2 and done["audit"] >= 1

    assert directory.find_contact(store, "Midtjylland").status == "pending"
    row = next(r for r in broadcasts.status(store, status["id"])["regions"] if r["region"]["code"] == "1082")
    assert row["recipient"]["name"] == alias and row["recipient"]["email"] == alias
    assert row["acknowledged_by"] == alias and row["state"] == "acknowledged"
    assert next(r for r in report.hearing_report(store, status["id"])["regions"]
                if r["region"]["code"] == "1082")["reply"]["by"] == alias
    everything = "".join(p.read_text(encoding="utf-8") for p in db_path.parent.iterdir() if p.is_file())
    assert "jt@viborg.dk" not in everything and "Jonas Thor Björnson" not in everything
    assert store.audit.entries().__next__()  # the trail is still there
    assert any(e["action"] == "forget" and e["target"] == f"person:{alias}" for e in store.audit.entries())


def test_forgetting_someone_unknown_is_a_clear_error(store):
    with pytest.raises(NotFound):
        forget(store, "nobody@example.dk", NOW)


def test_nothing_more_is_sent_to_a_forgotten_person(store):
    status, _ = broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": "H",
                                                    "deadline": "2026-12-15"}, by="Anne", now=NOW)
    forget(store, "jt@viborg.dk", NOW)
    secret = ack_tokens.server_secret(store)
    sent = deliveries.claim_due(store, NOW, secret)
    assert len(sent) == 4 and all("@" in item.recipient["email"] for item in sent)
    row = next(r for r in broadcasts.status(store, status["id"])["regions"] if r["region"]["code"] == "1082")
    assert (row["state"], row["last_error"]) == ("failed", "erased")
    for item in sent:
        deliveries.record_sent(store, item, "email", {}, NOW)
    closing = hearings.close_hearing(store, status["id"], "Endelige indikatorer.", NOW, by="Anne")
    assert closing["queued"] == 3  # Peter, Mia and the KL contact (once, for two regions)
    assert [item.recipient["email"] for item in deliveries.claim_due(store, NOW, secret)].count("jt@viborg.dk") == 0


def test_a_slack_user_is_forgotten_with_their_slack_id(store, db_path):
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Info"},
                                            by="Anne", now=NOW)
    for item in deliveries.claim_due(store, NOW, ack_tokens.server_secret(store)):
        user = "UJONAS" if item.recipient["email"] == "jt@viborg.dk" else None
        deliveries.record_sent(store, item, "slack" if user else "email", {"user": user, "channel": "DJ"}, NOW)
    jonas = next(r for r in status["regions"] if r["region"]["code"] == "1082")["delivery"]
    deliveries.acknowledge(store, status["id"], jonas, NOW, slack_user="UJONAS")
    directory.find_contact(store, "Viborg", actor="slack:UJONAS", now=NOW)
    forget(store, "jt@viborg.dk", NOW)
    everything = "".join(p.read_text(encoding="utf-8") for p in db_path.parent.iterdir() if p.is_file())
    assert "UJONAS" not in everything and f"slack:{pseudonym('jt@viborg.dk')}" in everything
