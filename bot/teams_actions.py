"""The buttons of a Teams card (``Action.Execute``): the same handlers as the
Slack buttons and the e-mailed page, for the Teams user who pressed.

``card_action`` is the whole entry: the Teams side (``bot.teams``) hands it
the authenticated user and the action's verb and data, and sends back what
it returns, the invoke's answer: the card that replaces the pressed one, or a
message with the reason it was refused.  It never raises to the SDK.

Who may: the action's data names the delivery by its link token (an HMAC
that cannot be made up or moved to another delivery), and the act's rule is
applied to that delivery for the Teams user, by the e-mail Teams vouches
for: only its recipient acknowledges, replies, forwards (a KKR contact) or
takes KL's steps.  The token alone admits no one, so a card forwarded to
someone else, or data copied from it, does nothing.

A retried invoke (Teams retries when an answer is slow) has one effect and
gets the same card: the card is drawn from what the store holds after the
handler ran, and each handler leaves a repeated act as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.render import cards
from handlers import appointments, deliveries, forwarding, hearings, permissions
from handlers.collections import BROADCASTS
from handlers.deliveries import Outgoing
from handlers.errors import BadRequest, Conflict, Forbidden, KkrError, NotFound
from handlers.i18n import t
from handlers.permissions import Act

log = logging.getLogger(__name__)

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"

# Each button's act, declared where the request enters (as the API's
# ``@requires``, Slack's ``requires`` and the page's ``@on_link``).
ACTS: dict[str, Act] = {
    cards.ACKNOWLEDGE: Act.ACKNOWLEDGE,
    cards.REPLY: Act.REPLY,
    cards.FORWARD: Act.FORWARD,
    cards.KL_FORWARDED: Act.FORWARD_TO_KKR,
    cards.APPOINTEE: Act.ADD_APPOINTEE,
}


def card_action(store, actor, verb: str, data: dict, now: datetime, lang: str,
                on_queued: Callable[[int], None] | None = None, public_url: str = "") -> dict:
    """Do what the button ``verb`` asks for ``actor`` (a Teams user with
    ``aad_object_id``, ``email``, ``name``, as a mapping or attributes) and
    answer with the updated card, or a message saying why not.
    ``on_queued(broadcast_id)``: new messages are waiting to be sent;
    ``public_url``: the base of the card's links to our pages."""
    try:
        act = ACTS.get(verb)
        if act is None:
            raise BadRequest("teams.unknown_action")
        data = data if isinstance(data, Mapping) else {}
        token = data.get("token")
        item, delivery = deliveries.by_token(store, token if isinstance(token, str) else "")
        user = permissions.teams_actor(store, _field(actor, "aad_object_id"), _field(actor, "email"))
        permissions.admit(user, act, permissions.Message.of(item.broadcast_id, delivery, item.broadcast.get("kind"),
                                                            item.collection))
        notes, reply_text = DOING[verb](store, item, data, now, lang)
        if verb == cards.FORWARD and on_queued:
            on_queued(item.broadcast_id)
        _, delivery = deliveries.by_token(store, token)
        card = cards.card_after(item, delivery, lang, notes, reply_text, public_url)
        return {"statusCode": 200, "type": CARD, "value": card}
    except KkrError as error:
        return message(_reason(error, lang))
    except Exception:  # noqa: BLE001 - the SDK must get an answer; the cause goes to the log
        log.exception("Teams card action %r failed", verb)
        return message(KkrError().message(lang))


def message(text: str) -> dict:
    """An invoke answer that shows ``text`` and leaves the card as it is."""
    return {"statusCode": 200, "type": MESSAGE, "value": text}


def _acknowledge(store, item: Outgoing, data, now, lang):
    deliveries.acknowledge(store, item.broadcast_id, item.notice_id, now, collection=item.collection)
    return (), ""


def _reply(store, item: Outgoing, data, now, lang):
    text = data.get(cards.REPLY_INPUT)
    saved = hearings.reply_by_delivery(store, _broadcast(item, "hearing.not_yours"), item.notice_id,
                                       text if isinstance(text, str) else "", now)
    return (cards.reply_note(saved, lang),), saved["text"]


def _forward(store, item: Outgoing, data, now, lang):
    forwarding.forward(store, _broadcast(item, "forward.not_yours"), item.region, now, by=item.recipient["name"],
                       as_recipient=True)
    _, delivery = deliveries.by_token(store, item.ack_token)
    return cards.forwarded_notes(item, delivery, lang), ""


def _kl_forwarded(store, item: Outgoing, data, now, lang):
    appointments.mark_forwarded(store, item.broadcast_id, now, by=item.recipient["name"])
    return (cards.kl_forwarded_note(lang),), ""


def _appointee(store, item: Outgoing, data, now, lang):
    raw = {name: data.get(name) if isinstance(data.get(name), str) else "" for name in cards.APPOINTEE_INPUTS}
    raw["chair"] = data.get(cards.CHAIR_INPUT) == "true"
    try:
        appointments.add_appointee(store, item.broadcast_id, raw, now, by=item.recipient["name"])
    except Conflict:
        # A retried invoke finds its appointee on the roster: the same answer, nothing added.
        if not _already_appointed(store, item.broadcast_id, raw):
            raise
    return (cards.appointee_note(raw["name"], lang),), ""


def _already_appointed(store, request_id: int, raw: dict) -> bool:
    person, _ = appointments.appointee_fields(store, raw)
    found = appointments.status(store, request_id)["appointees"]
    return any(a["email"] == person["email"] and a["region"] == person["region"] and a["role"] == person["role"]
               for a in found)


DOING = {cards.ACKNOWLEDGE: _acknowledge, cards.REPLY: _reply, cards.FORWARD: _forward,
         cards.KL_FORWARDED: _kl_forwarded, cards.APPOINTEE: _appointee}


def _broadcast(item: Outgoing, reason: str) -> int:
    """The broadcast of a broadcast's notice; an appointment request's
    message is no hearing and cannot be forwarded to municipalities."""
    if item.collection != BROADCASTS.name:
        raise Forbidden(reason)
    return item.broadcast_id


def _field(actor, name: str) -> str | None:
    value = actor.get(name) if isinstance(actor, Mapping) else getattr(actor, name, None)
    return value if isinstance(value, str) else None


def _reason(error: KkrError, lang: str) -> str:
    text = error.message(lang)
    if isinstance(error, NotFound) and error.suggestions:
        text += "\n" + t("reply.suggestions", lang, names=", ".join(error.suggestions))
    return text
