"""The ways a delivery reaches a person: a Slack DM, an e-mail over SMTP,
or (development, no SMTP) an ``.eml`` file in an outbox folder."""

from __future__ import annotations

import smtplib
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import unquote, urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.render import deliveries as render
from handlers.deliveries import Outgoing

LOOKUP_TTL = 3600


class SlackChannel:
    """Slack DMs to recipients found by e-mail (``users.lookupByEmail``),
    with the look-ups cached for an hour."""

    def __init__(self, client: WebClient, lang: str):
        self.client, self.lang = client, lang
        self._users: dict[str, tuple[str | None, float]] = {}
        self._guard = threading.Lock()

    def user_for(self, email: str) -> str | None:
        with self._guard:
            cached = self._users.get(email)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            user = self.client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
            user = None
        with self._guard:
            self._users[email] = (user, time.monotonic() + LOOKUP_TTL)
        return user

    def send(self, item: Outgoing) -> dict | None:
        """Post the message; None when the recipient has no Slack user."""
        user = item.recipient.get("slack_id") or self.user_for(item.recipient["email"])
        if not user:
            return None
        sent = self.client.chat_postMessage(channel=user, **render.slack_message(item, self.lang))
        return {"user": user, "channel": sent["channel"], "ts": sent["ts"]}


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
            smtp.send_message(message)
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
        path = self.folder / f"broadcast-{item.broadcast_id}-delivery-{item.delivery_id}.eml"
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
    subject, body = render.email_text(item, public_url.rstrip("/"), lang)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f'"{item.recipient["name"]}" <{item.recipient["email"]}>'
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=(sender.rpartition("@")[2] or "localhost"))
    message.set_content(body)
    return message
