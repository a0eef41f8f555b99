"""E-mailing a dashboard sign-in link (``/status``): over ``SMTP_URL``, or
as an ``.eml`` file in the outbox folder when there is no SMTP server, as
deliveries go.  A sign-in link is not a delivery of the chain (nothing to
acknowledge, retry or remind), so it is sent at once, from the visitor's
request thread, and a failure is only logged."""

from __future__ import annotations

import hashlib
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlparse

from api.config import Settings
from bot.channels import outbox_folder
from handlers.i18n import t
from handlers.validation import one_line


class SignInMail:
    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, person: dict, link: str) -> None:
        message = self.message(person, link)
        if self.settings.smtp_url:
            self._smtp(message, person["email"])
        else:
            folder = outbox_folder(self.settings.db_path)
            folder.mkdir(parents=True, exist_ok=True)
            seal = hashlib.sha256(link.encode()).hexdigest()[:12]
            (folder / f"signin-{seal}.eml").write_bytes(bytes(message))

    def message(self, person: dict, link: str) -> EmailMessage:
        lang = self.settings.lang
        name, addr = parseaddr(self.settings.mail_from)
        message = EmailMessage()
        message["From"] = Address(one_line(name), addr_spec=addr or self.settings.mail_from)
        message["To"] = Address(one_line(person.get("name") or ""), addr_spec=person["email"])
        message["Subject"] = t("signin.mail_subject", lang)
        message.set_content(t("signin.mail_body", lang, name=person.get("name") or "", link=link))
        return message

    def _smtp(self, message: EmailMessage, to: str) -> None:
        url = urlparse(self.settings.smtp_url)
        smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
        with smtp_class(url.hostname or "localhost", url.port or 25, timeout=20) as smtp:
            smtp.ehlo()
            if url.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(message, from_addr=message["From"].addresses[0].addr_spec, to_addrs=[to])
