"""E-mailing a dashboard sign-in link (``/status``): over ``SMTP_URL``, or
as an ``.eml`` file in the outbox folder when there is no SMTP server, as
deliveries go.  A sign-in link is not a delivery of the chain (nothing to
acknowledge, retry or remind), so it is sent at once, from the visitor's
request thread, and a failure is only logged."""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

from api.config import Settings
from bot.channels.mail import transmit
from bot.channels.outbox import outbox_folder
from bot.render.email import signin_message


class SignInMail:
    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, person: dict, link: str) -> None:
        message = signin_message(person, link, self.settings.mail_from, self.settings.lang)
        if self.settings.smtp_url:
            transmit(urlparse(self.settings.smtp_url), message, person["email"])
        else:
            folder = outbox_folder(self.settings.db_path)
            folder.mkdir(parents=True, exist_ok=True)
            seal = hashlib.sha256(link.encode()).hexdigest()[:12]
            (folder / f"signin-{seal}.eml").write_bytes(bytes(message))
