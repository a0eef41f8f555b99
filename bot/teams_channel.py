"""Notices to people in Microsoft Teams, 1:1, as Adaptive Cards.

A channel to the dispatcher's contract: ``send(item, deadline)`` returns a
reference to the activity posted, or None when we hold no Teams
conversation reference for the recipient's e-mail (then the next channel
is tried).  The person's personal chat with the bot is used when we know
it, else created (``POST /v3/conversations`` with their Entra object id;
the app must be installed for them, which is how we came to know them) and
remembered.  Posts are paced to Teams' limits (about 7 a second per
conversation, about 50 a second per tenant, ``bot.teams.LIMITS``); a 429,
412, 502 or 504 is retried after ``Retry-After`` or a back-off by the
client middleware (``bot.teams_host.Retrying``).
"""

from __future__ import annotations

import time

from microsoft_teams.api import Account, ApiClient, Attachment, CreateConversationParams, MessageActivityInput

from bot.render.cards import notice_card
from bot.render.teams import notice_text
from bot.teams_host import SEND
from handlers import teams_people
from handlers.deliveries import Outgoing
from handlers.teams_people import TeamsPerson

CARD = "application/vnd.microsoft.card.adaptive"
LONGEST = 120.0  # seconds a send may take when the dispatcher gives no deadline


class TeamsChannel:
    name = "teams"

    def __init__(self, bot):
        self.bot = bot
        self._clients: dict[str, ApiClient] = {}

    def send(self, item: Outgoing, deadline: float | None = None) -> dict | None:
        person = teams_people.by_email(self.bot.store, item.recipient["email"])
        if person is None:
            return None
        conversation = person.get("conversation_id") or self._open(person, deadline)
        activity = MessageActivityInput(text=notice_text(item, self.bot.settings.lang), attachments=[
            Attachment(content_type=CARD, content=notice_card(item, self.bot.settings.lang,
                                                                 public_url=self.bot.settings.link_base))])
        with self.bot.pacer.call(SEND, conversation, deadline):
            sent = self._run(self._client(person).conversations.create_activity(conversation, activity), deadline)
        return {"conversation": conversation, "activity": sent.id, "aad_object_id": person["aad_object_id"]}

    def _open(self, person: dict, deadline: float | None) -> str:
        """Create the person's personal chat with the bot, and remember it."""
        params = CreateConversationParams(members=[Account(id=person["aad_object_id"])],
                                          tenant_id=person.get("tenant_id") or self.bot.settings.teams_tenant_id)
        with self.bot.pacer.call(SEND, deadline=deadline):
            created = self._run(self._client(person).conversations.create(params), deadline)
        fields = {key: person.get(key) for key in ("aad_object_id", "email", "name", "tenant_id", "service_url",
                                                   "user_id")}
        teams_people.remember(self.bot.store, TeamsPerson(**fields, conversation_id=created.id), self.bot.clock(),
                              by="dispatcher")
        return created.id

    def _client(self, person: dict) -> ApiClient:
        """A connector client for the service URL the person's Teams told us."""
        url = (person.get("service_url") or self.bot.settings.teams_service_url or "").rstrip("/")
        if url not in self._clients:
            app = self.bot.app
            self._clients[url] = ApiClient(url, app.http_client.clone(), cloud=app.cloud,
                                           token_provider=app.token_provider)
        return self._clients[url]

    def _run(self, coroutine, deadline: float | None):
        wait = LONGEST if deadline is None else max(1.0, deadline - time.monotonic())
        return self.bot.loop.run(coroutine, timeout=wait)
