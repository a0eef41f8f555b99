"""The e-mail of a delivery: headers and the text of ``deliveries.email_text``,
as the SMTP channel sends it and the outbox writes it."""

from __future__ import annotations

import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from bot.render import deliveries as render
from bot.render.calendar import attach_calendar
from handlers.deliveries import Outgoing
from handlers.i18n import t
from handlers.validation import one_line


def email_message(item: Outgoing, sender: str, public_url: str, lang: str) -> EmailMessage:
    """The e-mail of a delivery.  Address headers are built as
    ``Address`` objects, never pasted together as text, so a name with
    quotes or commas stays one display name and cannot add a recipient."""
    subject, body = render.email_text(item, public_url.rstrip("/"), lang)
    name, addr = parseaddr(sender)
    sender_address = Address(one_line(name), addr_spec=addr or sender)
    message = EmailMessage()
    message["From"] = sender_address
    message["To"] = Address(one_line(item.recipient["name"] or ""), addr_spec=item.recipient["email"])
    answers_to = render.reply_to(item)
    if answers_to:
        message["Reply-To"] = Address(one_line(answers_to["name"] or ""), addr_spec=answers_to["email"])
    message["Subject"] = one_line(subject)
    message["Message-ID"] = message_id(item, sender_address.domain)
    message.set_content(body)
    attach_calendar(message, item, sender_address.addr_spec, lang)
    return message


def message_id(item: Outgoing, domain: str) -> str:
    """The same for every attempt at a delivery, so that a resend after a
    crash or a failed attempt is recognisably the same mail.  The hash of
    the delivery's link token (an HMAC under the store's own secret) tells
    two installations' "broadcast 1, delivery 1" apart without revealing it;
    ``b`` or ``a`` says whether it is a broadcast's or an appointment request's."""
    seal = hashlib.sha256(item.ack_token.encode("ascii")).hexdigest()[:12]
    return f"<kkrbot.{item.collection[0]}{item.broadcast_id}.d{item.delivery_id}.{seal}@{domain or 'localhost'}>"


def signin_message(person: dict, link: str, sender: str, lang: str) -> EmailMessage:
    """The e-mail with a dashboard sign-in link (``bot.signin_mail``)."""
    name, addr = parseaddr(sender)
    message = EmailMessage()
    message["From"] = Address(one_line(name), addr_spec=addr or sender)
    message["To"] = Address(one_line(person.get("name") or ""), addr_spec=person["email"])
    message["Subject"] = t("signin.mail_subject", lang)
    message.set_content(t("signin.mail_body", lang, name=person.get("name") or "", link=link))
    return message
