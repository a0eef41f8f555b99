"""Pressing a button on a Teams card: ``card_action`` with the data the card's
``Action.Execute`` carries, on a store built through the API, and the result
read back through the API.  Each answer is read with the Teams SDK's own
invoke-response models, as the SDK will send it back to Teams."""

import pytest
from microsoft_teams.api import AdaptiveCardActionCardResponse, AdaptiveCardActionMessageResponse

from bot.render.cards import notice_card
from bot.teams_actions import card_action
from handlers import deliveries
from tests.conftest import NOW
from tests.support.chain import new_chain

JONAS = {"aad_object_id": "aad-jonas", "email": "JT@viborg.dk", "name": "Jonas Thor Björnson"}
PETER = {"aad_object_id": "aad-peter", "email": "php@aalborg.dk", "name": "Peter"}
BO = {"aad_object_id": "aad-bo", "email": "bo@viborg.dk", "name": "Bo Ek"}
LISE = {"aad_object_id": "aad-lise", "email": "lht@kl.dk", "name": "Lise Holten"}


@pytest.fixture
def chain(store, client, tmp_path):
    return new_chain(store, client, tmp_path / "outbox")


def button(chain, address, verb, link=None):
    """The data of the ``verb`` button on the card ``address`` got."""
    token = (link or chain.link(address)).removeprefix("/ack/")
    item, _ = deliveries.by_token(chain.store, token)
    card = notice_card(item, "da")
    found = [a for a in card["actions"] if a.get("verb") == verb]
    found += [a for show in card["actions"] if show["type"] == "Action.ShowCard"
              for a in show["card"]["actions"] if a.get("verb") == verb]
    assert found, f"no {verb} button"
    return dict(found[0]["data"])


def card_of(answer) -> dict:
    return AdaptiveCardActionCardResponse.model_validate(answer).value.model_dump(by_alias=True, exclude_none=True)


def message_of(answer) -> str:
    return AdaptiveCardActionMessageResponse.model_validate(answer).value


def card_texts(card) -> str:
    return "\n".join(block["text"] for block in card["body"] if block["type"] == "TextBlock")


def audit(chain, action):
    return chain.client.get(f"/api/audit?action={action}", headers=chain.admin).json


def test_acknowledge_by_the_recipient_is_recorded_and_the_card_says_by_whom_and_when(chain):
    answer = card_action(chain.store, JONAS, "acknowledge", button(chain, "jt@viborg.dk", "acknowledge"), NOW, "da")
    card = card_of(answer)
    row = chain.region("1082")
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "Jonas Thor Björnson"
    assert "Jonas Thor Björnson kvitterede for modtagelsen den 23. november 2026 kl. 09.00." in card_texts(card)
    assert [a["verb"] for a in card["actions"]] == ["reply", "forward"]


def test_a_second_identical_invoke_changes_nothing_and_gets_the_same_card(chain):
    data = button(chain, "jt@viborg.dk", "acknowledge")
    first = card_action(chain.store, JONAS, "acknowledge", data, NOW, "da")
    entries = audit(chain, "acknowledge")
    again = card_action(chain.store, JONAS, "acknowledge", data, NOW.replace(hour=10), "da")
    assert again == first
    assert audit(chain, "acknowledge") == entries and len(entries) == 1
    assert chain.region("1082")["acknowledged_at"] == "2026-11-23T09:00:00+01:00"


def test_another_user_is_refused_and_nothing_changes(chain):
    data = button(chain, "jt@viborg.dk", "acknowledge")
    answer = card_action(chain.store, PETER, "acknowledge", data, NOW, "da")
    assert message_of(answer) == "Kun modtageren kan kvittere for denne besked."
    assert chain.region("1082")["state"] == "sent"
    assert audit(chain, "acknowledge") == []


def test_a_user_teams_knows_no_e_mail_for_is_refused(chain):
    data = button(chain, "jt@viborg.dk", "acknowledge")
    answer = card_action(chain.store, {**JONAS, "email": None}, "acknowledge", data, NOW, "da")
    assert message_of(answer) == "Kun modtageren kan kvittere for denne besked."
    assert chain.region("1082")["state"] == "sent"


@pytest.mark.parametrize("data", [{}, {"token": "1-1-" + "0" * 32}, {"token": ["x"]}, "not a dict"])
def test_forged_or_broken_data_is_a_friendly_message(chain, data):
    answer = card_action(chain.store, JONAS, "acknowledge", data, NOW, "da")
    assert message_of(answer) == "Linket virker ikke. Brug linket i den e-mail, du har fået."
    assert chain.region("1082")["state"] == "sent"


def test_an_unknown_verb_is_a_friendly_message(chain):
    answer = card_action(chain.store, JONAS, "delete", button(chain, "jt@viborg.dk", "acknowledge"), NOW, "da")
    assert "ældre udgave af kortet" in message_of(answer)


def test_reply_stores_the_consolidated_reply_once(chain):
    data = {**button(chain, "jt@viborg.dk", "reply"), "reply": "Regionen bakker op om indikatorerne."}
    first = card_action(chain.store, JONAS, "reply", data, NOW, "da")
    again = card_action(chain.store, JONAS, "reply", data, NOW, "da")
    assert again == first
    card = card_of(first)
    assert "Tak – høringssvaret er gemt." in card_texts(card)
    assert [e["value"] for e in card["body"] if e.get("id") == "reply"] == ["Regionen bakker op om indikatorerne."]
    report = chain.client.get(f"/api/hearings/{chain.id}/report", headers=chain.consultant).json
    region = next(r for r in report["regions"] if r["region"]["code"] == "1082")
    assert region["reply"]["text"] == "Regionen bakker op om indikatorerne."
    assert region["reply"]["by"] == "Jonas Thor Björnson"
    assert len(audit(chain, "reply")) == 1
    assert chain.region("1082")["state"] == "acknowledged"


def test_an_empty_reply_is_refused_with_a_message_and_nothing_stored(chain):
    data = {**button(chain, "jt@viborg.dk", "reply"), "reply": "  "}
    answer = card_action(chain.store, JONAS, "reply", data, NOW, "da")
    assert "skal udfyldes" in message_of(answer).lower()
    assert audit(chain, "reply") == []


def test_reply_by_someone_else_is_refused(chain):
    data = {**button(chain, "jt@viborg.dk", "reply"), "reply": "Falsk svar"}
    answer = card_action(chain.store, PETER, "reply", data, NOW, "da")
    assert message_of(answer) == "Kun modtageren kan svare på denne høring."
    assert audit(chain, "reply") == []


def test_forward_by_the_kkr_contact_queues_the_municipalities(chain):
    answer = card_action(chain.store, JONAS, "forward", button(chain, "jt@viborg.dk", "forward"), NOW, "da")
    card = card_of(answer)
    assert "Sendt videre til kommunerne i Region Midtjylland den 23. november 2026 kl. 09.00." in card_texts(card)
    row = chain.region("1082")
    assert row["forwarded_at"] and not row["forwarded_on_behalf"] and row["state"] == "acknowledged"
    chain.send()
    assert chain.mails("bo@viborg.dk") and chain.mails("sif@skive.dk")
    assert card_action(chain.store, JONAS, "forward", button(chain, "jt@viborg.dk", "forward"), NOW, "da") == answer
    chain.send()
    assert len(chain.mails("bo@viborg.dk")) == 1


def test_a_municipality_cannot_forward(chain):
    chain.forward()
    data = {**button(chain, "jt@viborg.dk", "forward"), "token": chain.link("bo@viborg.dk").removeprefix("/ack/")}
    answer = card_action(chain.store, BO, "forward", data, NOW, "da")
    assert message_of(answer).startswith("Kun regionens KKR-kontaktperson")


def test_kl_marks_an_appointment_request_forwarded_and_reports_an_appointee(chain):
    response = chain.client.post("/api/databases/DHRD/appointments", headers=chain.consultant,
                                 json={"disease_area": "Hjerterehabilitering", "representatives": 5})
    assert response.status_code == 201, response.json
    request_id = response.json["id"]
    chain.send()
    link = next(m for m in chain.mails("lht@kl.dk") if "/ack/a" in m.get_content())
    path = "/ack/" + link.get_content().split("/ack/")[1].split()[0]
    answer = card_action(chain.store, LISE, "appointment_forwarded", button(chain, "", "appointment_forwarded", path),
                         NOW, "da")
    assert "Markeret som sendt videre til KKR." in card_texts(card_of(answer))
    appointee = {**button(chain, "", "appointee", path), "name": "Eva Lund", "title": "Sundhedschef",
                 "workplace": "Viborg Kommune", "email": "eva@viborg.dk", "phone": "", "region": "Midtjylland",
                 "chair": "false"}
    first = card_action(chain.store, LISE, "appointee", appointee, NOW, "da")
    assert card_action(chain.store, LISE, "appointee", appointee, NOW, "da") == first
    state = chain.client.get(f"/api/appointments/{request_id}").json
    assert state["forwarded_to_kkr_at"] and [a["email"] for a in state["appointees"]] == ["eva@viborg.dk"]
    refused = card_action(chain.store, JONAS, "appointee", {**appointee, "email": "x@viborg.dk"}, NOW, "da")
    assert "KL" in message_of(refused)


def test_every_button_a_card_can_carry_declares_its_act():
    from bot import teams_actions
    from bot.render import cards

    verbs = {cards.ACKNOWLEDGE, cards.REPLY, cards.FORWARD, cards.KL_FORWARDED, cards.APPOINTEE}
    assert set(teams_actions.ACTS) == verbs == set(teams_actions.DOING)
