"""E-mail over SMTP (``SMTP_URL``), paced to ``SMTP_PER_MINUTE``.

The channel ``email`` of ``KKRBOT_CHANNELS`` (contract: ``bot.channels.base``):
SMTP when ``SMTP_URL`` is set, else the outbox (``bot.channels.outbox``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from bot.channels import outbox
from bot.channels.base import Setup
from bot.pacing import Limit, Pacer
from bot.render.email import email_message
from handlers.deliveries import Outgoing


class MailChannel:
    """E-mail through the SMTP server of ``SMTP_URL``, one connection per
    message, the envelope always the one recipient.

    Every recipient has an e-mail address, so this channel never passes one
    on; a refusal by the server is a failed try.  Each send waits for its
    slot in ``pacer`` (name ``smtp``), never past ``deadline``."""

    name = "email"

    def __init__(self, smtp_url: str, sender: str, public_url: str, lang: str, pacer: Pacer | None = None):
        self.url = urlparse(smtp_url)
        self.sender, self.public_url, self.lang = sender, public_url, lang
        self.pacer = pacer or Pacer()

    def send(self, item: Outgoing, deadline: float | None = None) -> dict:
        message = email_message(item, self.sender, self.public_url, self.lang)
        with self.pacer.call("smtp", deadline=deadline):
            self._transmit(message, item.recipient["email"])
        return {"message_id": message["Message-ID"]}

    def _transmit(self, message: EmailMessage, recipient: str) -> None:
        transmit(self.url, message, recipient)


def transmit(url, message: EmailMessage, recipient: str) -> None:
    """Send ``message`` over the SMTP server of ``url`` (parsed ``SMTP_URL``)
    to ``recipient`` alone: the envelope is the one recipient, never what
    the headers say."""
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "localhost", url.port or 25, timeout=20) as smtp:
        smtp.ehlo()
        if url.scheme == "smtp" and smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(message, from_addr=message["From"].addresses[0].addr_spec, to_addrs=[recipient])


def configured(setup: Setup):
    """SMTP when ``SMTP_URL`` is set, else the outbox: ``email`` always reaches
    the recipient somehow, so a development install needs no mail server."""
    settings = setup.settings
    if not settings.smtp_url:
        return outbox.configured(setup)
    pacer = Pacer({"smtp": Limit(settings.smtp_per_minute, 60)}) if settings.smtp_per_minute else None
    return MailChannel(settings.smtp_url, settings.mail_from, setup.public_url, settings.lang, pacer)
