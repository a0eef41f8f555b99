"""The outbox: each e-mail written as an ``.eml`` file, for development
without an SMTP server.

The channel ``outbox`` of ``KKRBOT_CHANNELS``, and what ``email`` means
while ``SMTP_URL`` is unset (contract: ``bot.channels.base``)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from bot.channels.base import Setup
from bot.render.email import email_message
from handlers.deliveries import Outgoing


def outbox_folder(db_path) -> Path:
    """Where the outbox keeps its files: ``outbox/`` beside the store."""
    return Path(db_path).parent / "outbox"


class OutboxChannel:
    """Writes each e-mail as an ``.eml`` file, for development without SMTP
    (``outbox/`` beside the store); reaches everyone."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str, public_url: str, lang: str):
        self.folder, self.sender, self.public_url, self.lang = Path(folder), sender, public_url, lang

    def send(self, item: Outgoing, deadline: float | None = None) -> dict:
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


def configured(setup: Setup) -> OutboxChannel:
    """The outbox beside the store; always available."""
    settings = setup.settings
    return OutboxChannel(outbox_folder(settings.db_path), settings.mail_from, setup.public_url, settings.lang)
