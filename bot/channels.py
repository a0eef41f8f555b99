"""The ways a delivery reaches a person: a Slack DM, an e-mail over SMTP,
or (development, no SMTP) an ``.eml`` file in an outbox folder."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.pacing import Pacer
from bot.render import deliveries as render
from bot.render.calendar import attach_calendar
from bot.slack_limits import pacer_of
from handlers.clock import parse
from handlers.deliveries import Outgoing
from handlers.validation import one_line

log = logging.getLogger(__name__)

LOOKUP_TTL = 3600
METADATA_EVENT = "kkr_delivery"
UNLOOKABLE = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})
CLOCK_SKEW = 300  # seconds looked back before the earlier try began, for clocks that differ from Slack's


def _metadata(item: Outgoing) -> dict:
    """What marks a DM as this delivery's, for ``posted_before``."""
    return {"event_type": METADATA_EVENT,
            "event_payload": {f"{item.collection}_id": item.broadcast_id, "delivery_id": item.delivery_id}}


class SlackChannel:
    """Slack DMs to recipients found by e-mail (``users.lookupByEmail``),
    with the look-ups cached for an hour.

    Each DM carries the delivery's IDs as message metadata.  A delivery that
    an earlier try may have posted (``Outgoing.maybe_sent_since``: that try's
    process died, or its answer was lost) is first looked for in the
    recipient's DM, and a message found there is the one recorded instead of
    a second post.  First tries post at once.

    Every call waits for its slot in the pacer (``bot.slack_limits``) that
    the client's 429s are told to, so Slack need not refuse it; ``deadline``
    (a ``time.monotonic`` time) is when a send must give up waiting.
    """

    def __init__(self, client: WebClient, lang: str, pacer: Pacer | None = None, public_url: str = ""):
        self.client, self.lang, self.public_url = client, lang, public_url
        self.pacer = pacer or pacer_of(client)
        self._users: dict[str, tuple[str | None, float]] = {}
        self._guard = threading.Lock()

    def user_for(self, email: str, deadline: float | None = None) -> str | None:
        with self._guard:
            cached = self._users.get(email)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            with self.pacer.call("users.lookupByEmail", deadline=deadline):
                user = self.client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
            user = None
        with self._guard:
            self._users[email] = (user, time.monotonic() + LOOKUP_TTL)
        return user

    def send(self, item: Outgoing, deadline: float | None = None) -> dict | None:
        """Post the message; None when the recipient has no Slack user."""
        user = item.recipient.get("slack_id") or self.user_for(item.recipient["email"], deadline)
        if not user:
            return None
        if item.maybe_sent_since:
            found = self.posted_before(user, item, deadline)
            if found:
                log.info("delivery %s/%s was posted before (ts %s); recorded, not posted again",
                         item.broadcast_id, item.delivery_id, found["ts"])
                return found
        with self.pacer.call("chat.postMessage", user, deadline):
            sent = self.client.chat_postMessage(channel=user, metadata=_metadata(item),
                                                **render.slack_message(item, self.lang, self.public_url))
        return {"user": user, "channel": sent["channel"], "ts": sent["ts"]}

    def posted_before(self, user: str, item: Outgoing, deadline: float | None = None) -> dict | None:
        """The DM this delivery was posted as, if an earlier try posted it:
        the recipient's DM since that try began, read with metadata."""
        oldest = parse(item.maybe_sent_since).timestamp() - CLOCK_SKEW
        wanted = _metadata(item)
        try:
            with self.pacer.call("conversations.open", deadline=deadline):
                channel = self.client.conversations_open(users=user)["channel"]["id"]
            cursor = None
            while True:
                with self.pacer.call("conversations.history", deadline=deadline):
                    page = self.client.conversations_history(channel=channel, oldest=f"{oldest:.6f}", limit=200,
                                                             include_all_metadata=True, cursor=cursor)
                for message in page.get("messages", []):
                    if message.get("metadata") == wanted:
                        return {"user": user, "channel": channel, "ts": message["ts"]}
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except SlackApiError as error:
            # Without the scopes to look, a possible second DM beats a notice that is never delivered;
            # any other error is retried like a failed post.
            if error.response.get("error") not in UNLOOKABLE:
                raise
            log.warning("cannot look for delivery %s/%s in the DM (%s); posting it",
                        item.broadcast_id, item.delivery_id, error.response.get("error"))
        return None


class MailChannel:
    """E-mail through the SMTP server of ``SMTP_URL``."""

    def __init__(self, smtp_url: str, sender: str, public_url: str, lang: str):
        self.url = urlparse(smtp_url)
        self.sender, self.public_url, self.lang = sender, public_url, lang

    def send(self, item: Outgoing) -> dict:
        message = email_message(item, self.sender, self.public_url, self.lang)
        smtp_class = smtplib.SMTP_SSL if self.url.scheme == "smtps" else smtplib.SMTP
        with smtp_class(self.url.hostname or "localhost", self.url.port or 25, timeout=20) as smtp:
            smtp.ehlo()
            if self.url.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            # The envelope is the one recipient, never what the headers say.
            smtp.send_message(message, from_addr=message["From"].addresses[0].addr_spec,
                              to_addrs=[item.recipient["email"]])
        return {"message_id": message["Message-ID"]}


def outbox_folder(db_path) -> Path:
    """Where the outbox keeps its files: ``outbox/`` beside the store."""
    return Path(db_path).parent / "outbox"


class OutboxChannel:
    """Writes each e-mail as an ``.eml`` file, for development without SMTP."""

    def __init__(self, folder: Path, sender: str, public_url: str, lang: str):
        self.folder, self.sender, self.public_url, self.lang = Path(folder), sender, public_url, lang

    def send(self, item: Outgoing) -> dict:
        message = email_message(item, self.sender, self.public_url, self.lang)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{item.collection}-{item.broadcast_id}-delivery-{item.delivery_id}.eml"
        path.write_bytes(bytes(message))
        return {"file": path.name, "message_id": message["Message-ID"]}


def forget_in_outbox(folder: Path, person) -> int:
    """Erasure: delete every outbox e-mail addressed to or mentioning the
    forgotten person (``handlers.forgotten.Forgotten``); return how many.

    Deleted, not rewritten: the outbox only stands in for an SMTP server
    during development, the store keeps the (pseudonymised) record of each
    delivery, and a name may hide in an encoded header or body that a
    rewrite could miss.  Others' messages that name the person go too.
    """
    deleted = 0
    for path in sorted(Path(folder).glob("*.eml")):
        raw = path.read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        texts = [raw.decode("utf-8", "replace"), *(str(value) for value in message.values()),
                 *(part.get_content() for part in message.walk() if part.get_content_maintype() == "text")]
        if any(person.mentions(text) for text in texts):
            path.unlink()
            deleted += 1
    return deleted


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
