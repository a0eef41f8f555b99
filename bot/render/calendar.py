"""The deadline's calendar event on a message: attached to an e-mail as
``text/calendar`` (what Outlook shows as an event to add or cancel), or a
link to download it under a Slack message.  The event itself is built in
``handlers.calendar``, which the API's download routes use too."""

from __future__ import annotations

from email.message import EmailMessage

from handlers import calendar
from handlers.deliveries import Outgoing
from handlers.i18n import t


def attach_calendar(message: EmailMessage, item: Outgoing, organizer: str, lang: str) -> None:
    """Attach the recipient's deadline event, if the message carries one."""
    found = calendar.for_delivery(item, organizer, lang)
    if found:
        data, method = found
        message.add_attachment(data, maintype="text", subtype="calendar", filename=t("cal.filename", lang),
                               params={"method": method, "charset": "utf-8"})


def download_block(item: Outgoing, public_url: str, lang: str) -> dict | None:
    """A context line linking to the recipient's own event (``/ack/<token>/calendar.ics``)."""
    if not public_url or calendar.method_for(item) is None:
        return None
    url = f"{public_url.rstrip('/')}/ack/{item.ack_token}/calendar.ics"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t("cal.download", lang, url=url)}]}
