"""Claiming, sending, retrying and acknowledging deliveries; forwarding to tier 2."""

from datetime import timedelta

import pytest

from handlers import ack_tokens, broadcasts, deliveries, forwarding
from handlers.directory_admin import set_municipality_contact
from handlers.errors import Conflict, Forbidden, NotFound
from tests.conftest import NOW

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Høring", "deadline": "2026-12-15"}


@pytest.fixture
def secret(store):
    return ack_tokens.server_secret(store)


@pytest.fixture
def broadcast(store):
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne", now=NOW)
    return status["id"]


def row(store, broadcast_id, code):
    return next(r for r in broadcasts.status(store, broadcast_id)["regions"] if r["region"]["code"] == code)


def send_all(store, secret, now=NOW, user_of=None):
    items = deliveries.claim_due(store, now, secret, owner="test")
    for item in items:
        ref = {"user": (user_of or {}).get(item.recipient["email"])}
        deliveries.record_sent(store, item, "slack" if ref["user"] else "outbox", ref, now)
    return items


def test_each_due_delivery_is_claimed_once(store, broadcast, secret):
    first = deliveries.claim_due(store, NOW, secret, owner="a")
    assert sorted(i.region for i in first) == ["1081", "1082", "1083", "1084", "1085"]
    assert deliveries.claim_due(store, NOW, secret, owner="b") == []
    # The claimer died silently: after the lease, another process takes over.
    later = deliveries.claim_due(store, NOW + deliveries.LEASE + timedelta(seconds=1), secret, owner="b")
    assert len(later) == 5


def test_claims_come_in_batches_so_each_is_sent_within_its_lease(store, broadcast, secret):
    for n in range(2, 6):
        broadcasts.create_broadcast(store, {**HEARING, "title": f"H{n}"}, by="Anne", now=NOW)
    sizes = []
    while batch := deliveries.claim_due(store, NOW, secret, limit=7):
        sizes.append(len(batch))
    assert sizes == [7, 7, 7, 4]
    assert deliveries.BATCH <= 20


def test_a_dead_owners_claims_are_taken_over_at_once(store, broadcast, secret):
    deliveries.claim_due(store, NOW, secret, owner="gone")
    taken = deliveries.claim_due(store, NOW, secret, owner="b", is_dead=lambda owner: owner == "gone")
    assert len(taken) == 5


def test_failures_are_recorded_and_retried_with_backoff(store, broadcast, secret):
    item = deliveries.claim_due(store, NOW, secret, owner="a", only=broadcast)[0]
    deliveries.record_failure(store, item, "SMTPRecipientsRefused: 550", NOW)
    failed = row(store, broadcast, item.region)
    assert failed["state"] == "failed" and "550" in failed["last_error"]
    assert deliveries.claim_due(store, NOW + timedelta(seconds=29), secret) == []
    retried = deliveries.claim_due(store, NOW + timedelta(seconds=31), secret)
    assert [i.delivery_id for i in retried] == [item.delivery_id]
    deliveries.record_sent(store, retried[0], "email", {}, NOW + timedelta(seconds=32))
    assert row(store, broadcast, item.region)["state"] == "sent"


def test_backoff_grows_and_is_capped():
    assert [deliveries.backoff(n).total_seconds() for n in (1, 2, 3, 8, 30)] == [30, 60, 120, 3600, 3600]


def test_gives_up_after_max_attempts(store, broadcast, secret):
    moment = NOW
    tries = 0
    for _ in range(deliveries.MAX_ATTEMPTS + 2):
        for item in deliveries.claim_due(store, moment, secret):
            if item.region == "1082":
                tries += 1
                deliveries.record_failure(store, item, "down", moment)
            else:
                deliveries.record_sent(store, item, "outbox", {}, moment)
        moment += timedelta(hours=2)
    assert tries == deliveries.MAX_ATTEMPTS
    assert row(store, broadcast, "1082")["state"] == "failed"
    assert deliveries.claim_due(store, moment + timedelta(days=1), secret) == []


def test_only_the_recipient_acknowledges_once(store, broadcast, secret):
    items = send_all(store, secret, user_of={"jt@viborg.dk": "UJONAS"})
    jonas = next(i for i in items if i.region == "1082")
    with pytest.raises(Forbidden):
        deliveries.acknowledge(store, broadcast, jonas.delivery_id, NOW, slack_user="UOTHER")
    assert row(store, broadcast, "1082")["state"] == "sent"
    delivery, recorded = deliveries.acknowledge(store, broadcast, jonas.delivery_id, NOW, slack_user="UJONAS")
    assert recorded and delivery["acknowledged_by"] == "Jonas Thor Björnson"
    again, recorded_again = deliveries.acknowledge(store, broadcast, jonas.delivery_id, NOW + timedelta(hours=1),
                                                   slack_user="UJONAS")
    assert not recorded_again and again["acknowledged_at"] == delivery["acknowledged_at"]


def test_nothing_can_be_acknowledged_before_it_is_sent(store, broadcast):
    with pytest.raises(Conflict):
        deliveries.acknowledge(store, broadcast, 1, NOW)


def test_ack_tokens_cannot_be_forged_or_moved(store, broadcast, secret):
    send_all(store, secret)
    token = ack_tokens.make(secret, broadcast, 2)
    item, _ = deliveries.by_token(store, token)
    assert (item.broadcast_id, item.delivery_id, item.region) == (broadcast, 2, "1082")
    moved = token.replace(f"{broadcast}-2-", f"{broadcast}-3-")
    for bad in (moved, f"{broadcast}-2-" + "0" * 32, "", "../../etc/passwd", f"{broadcast}-99-" + token[-32:]):
        with pytest.raises(NotFound):
            deliveries.by_token(store, bad)


def test_forward_reaches_municipalities_with_a_contact_and_names_the_rest(store, broadcast, secret):
    send_all(store, secret, user_of={"jt@viborg.dk": "UJONAS"})
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Aarhus", {"name": "Eva Lund", "email": "eva@aarhus.dk"}, NOW)
    with pytest.raises(Forbidden):
        forwarding.forward(store, broadcast, "1082", NOW, by="x", slack_user="UOTHER")
    done = forwarding.forward(store, broadcast, "Midtjylland", NOW, by="Jonas", slack_user="UJONAS")
    assert sorted(done["added"]) == ["Aarhus", "Viborg"]
    assert len(done["unreachable"]) == 17 and "Herning" in done["unreachable"]
    region = row(store, broadcast, "1082")
    assert region["forwarded_at"] and region["state"] == "acknowledged"
    assert region["municipalities"]["unreachable"] == done["unreachable"]

    second = deliveries.claim_due(store, NOW, secret)
    assert sorted(i.municipality_name for i in second) == ["Aarhus", "Viborg"]
    assert {i.tier for i in second} == {2}


def test_forwarding_twice_sends_nobody_a_second_message(store, broadcast, secret):
    send_all(store, secret)
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    forwarding.forward(store, broadcast, "1082", NOW, by="Jonas")
    again = forwarding.forward(store, broadcast, "1082", NOW, by="Jonas")
    assert again["added"] == [] and again["already"]
    set_municipality_contact(store, "Aarhus", {"name": "Eva Lund", "email": "eva@aarhus.dk"}, NOW)
    assert forwarding.forward(store, broadcast, "1082", NOW, by="Jonas")["added"] == ["Aarhus"]
    tier_two = [d for d in store_deliveries(store, broadcast) if d["tier"] == 2]
    assert sorted(d["municipality"] for d in tier_two) == ["0751", "0791"]


def test_municipal_acknowledgements_are_counted(store, broadcast, secret):
    send_all(store, secret)
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Aarhus", {"name": "Eva Lund", "email": "eva@aarhus.dk"}, NOW)
    forwarding.forward(store, broadcast, "1082", NOW, by="Jonas")
    viborg = next(i for i in send_all(store, secret) if i.municipality_name == "Viborg")
    deliveries.acknowledge(store, broadcast, viborg.delivery_id, NOW)
    counts = row(store, broadcast, "1082")["municipalities"]
    assert (counts["total"], counts["reached"], counts["acknowledged"]) == (19, 2, 1)
    assert counts["not_acknowledged"] == ["Aarhus"]


def store_deliveries(store, broadcast_id):
    with store.read(broadcasts.part_of(broadcast_id)) as view:
        return view.all("deliveries")
