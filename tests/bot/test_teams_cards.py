"""The notice as a Teams Adaptive Card: the same text as the Slack and e-mail
message, the recipient's buttons, and nothing a title can add to it.  Each
card is read back with the Teams SDK's own card model, and every TextBlock's
Markdown is rendered with a CommonMark renderer (markdown-it, the family of
the Adaptive Cards renderers) to see what a reader would see."""

import html
import re

import pytest
from markdown_it import MarkdownIt
from microsoft_teams.cards import AdaptiveCard

from bot.render.cards import notice_card
from handlers import deliveries
from tests.support.chain import new_chain

HOSTILE = ("*fed* [Kvittér her](https://evil.example/x) <at>Alle</at> _kursiv_ ~~streg~~ `kode` "
           "{{DATE(2030-01-01T00:00:00Z, SHORT)}} <https://evil.example/y>")
MARKDOWN = MarkdownIt("commonmark").enable("strikethrough")


def card_for(chain, address, lang="da"):
    token = chain.link(address).removeprefix("/ack/")
    item, _ = deliveries.by_token(chain.store, token)
    card = notice_card(item, lang)
    AdaptiveCard.model_validate(card)  # a card the SDK can send
    return card


def walk(node):
    """Every dict in the card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def actions(card):
    return [(a["type"], a.get("verb")) for a in card.get("actions", [])]


def shown(card) -> str:
    """What a reader sees of the card's texts: the TextBlocks rendered as
    Markdown, tags dropped."""
    parts = [MARKDOWN.renderInline(block["text"]) for block in walk(card) if block.get("type") == "TextBlock"]
    return html.unescape(re.sub(r"<[^>]+>", "", "\n".join(parts)))


def rendered(card) -> str:
    return "\n".join(MARKDOWN.render(block["text"]) for block in walk(card) if block.get("type") == "TextBlock")


@pytest.fixture
def chain(store, client, tmp_path):
    return new_chain(store, client, tmp_path / "outbox")


def test_a_hearing_to_a_kkr_contact_has_acknowledge_reply_and_forward_and_a_reply_box(chain):
    card = card_for(chain, "jt@viborg.dk")
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert actions(card) == [("Action.Execute", "acknowledge"), ("Action.Execute", "reply"),
                             ("Action.Execute", "forward")]
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Kvittér for modtagelsen", "Afgiv høringssvar", "Send videre til kommunerne"]
    inputs = [e for e in walk(card["body"]) if e.get("type", "").startswith("Input.")]
    assert [(e["type"], e["id"], e.get("isMultiline")) for e in inputs] == [("Input.Text", "reply", True)]
    text = shown(card)
    assert "Kommunale indikatorer" in text and "Region Midtjylland" in text and "15. december 2026" in text


def test_each_action_names_its_delivery_by_the_unforgeable_link_token(chain):
    card = card_for(chain, "jt@viborg.dk")
    token = chain.link("jt@viborg.dk").removeprefix("/ack/")
    assert {a["data"]["token"] for a in card["actions"]} == {token}
    assert [a["data"]["action"] for a in card["actions"]] == [a["verb"] for a in card["actions"]]


def test_a_municipality_gets_no_forward_button(chain):
    chain.forward()
    card = card_for(chain, "bo@viborg.dk")
    assert actions(card) == [("Action.Execute", "acknowledge"), ("Action.Execute", "reply")]


def test_english_cards_speak_english(chain):
    card = card_for(chain, "jt@viborg.dk", "en")
    assert [a["title"] for a in card["actions"]][0] == "Acknowledge receipt"
    assert "15 December 2026" in shown(card)


def test_a_hostile_title_and_text_add_no_action_link_mention_or_formatting(store, client, tmp_path):
    chain = new_chain(store, client, tmp_path / "outbox")
    plain = card_for(chain, "jt@viborg.dk")
    response = client.post("/api/broadcasts", headers=chain.consultant, json={
        "kind": "hearing", "database": "DHRD", "title": HOSTILE, "deadline": "2026-12-15",
        "body": "Første linje\n- ikke et punkt\n1. ikke en liste\n# ikke en overskrift\n> intet citat",
        "link": "https://www.rkkp.dk/dhrd"})
    assert response.status_code == 201, response.json
    chain.id = response.json["id"]
    chain.send()
    card = card_for(chain, "jt@viborg.dk")
    card["actions"] = [a for a in card["actions"] if a["type"] != "Action.OpenUrl"]
    assert actions(card) == actions(plain)
    urls = [node.get("url") for node in walk(card) if node.get("url")]
    assert not any("evil" in url for url in urls)
    assert "msteams" not in card and "entities" not in str(card)
    out = rendered(card)
    for tag in ("<a ", "<em>", "<strong>", "<del>", "<code>", "<li>", "<h1>", "<blockquote>", "<ol", "<ul"):
        assert tag not in out, tag
    text = shown(card)
    assert HOSTILE.replace("{{", "{\u2060{") in text
    assert "{{" not in "".join(block["text"] for block in walk(card) if block.get("type") == "TextBlock")
    assert "- ikke et punkt" in text and "1. ikke en liste" in text and "# ikke en overskrift" in text


def test_the_broadcasts_own_link_is_a_button(store, client, tmp_path):
    chain = new_chain(store, client, tmp_path / "outbox")
    response = client.post("/api/broadcasts", headers=chain.consultant, json={
        "kind": "info", "database": "DHRD", "title": "Nyt", "link": "https://www.rkkp.dk/dhrd"})
    chain.id = response.json["id"]
    chain.send()
    card = card_for(chain, "jt@viborg.dk")
    assert ("Action.OpenUrl", None) in actions(card)
    assert [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"] == ["https://www.rkkp.dk/dhrd"]
