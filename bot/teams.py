"""Microsoft Teams: the listeners of the Teams SDK app, and ``mount`` that
puts ``POST /teams/messages`` into the web app (only with ``TEAMS_APP_ID``;
without it nothing of the SDK is imported).

Every listener is a few lines: who is asking (their Entra object id, and
their e-mail from the stored reference or Teams' roster), then one call
into ``handlers`` run off the event loop, then the answer.  Each activity a
person sends, and each installation, stores their conversation reference
(``handlers.teams_people``) so that notices can reach them later.
"""

from __future__ import annotations

import asyncio
import logging

from flask import Flask, request
from microsoft_teams.api import MessageActivityInput

from api.config import Settings
from api.web import public
from bot import teams_ask
from bot.pacing import Limit, Pacer
from bot.teams_host import ENDPOINT, SEND, EventLoop, TeamsDoor, make_app
from handlers import permissions, teams_people
from handlers.teams_people import TeamsPerson

log = logging.getLogger(__name__)
# Teams' limits: about 7 messages a second per conversation, about 50 requests a second per app and tenant.
LIMITS = {SEND: Limit(50, 1.0), f"{SEND}@channel": Limit(7, 1.0)}


class TeamsBot:
    """The SDK app of one web process, its door and its proactive channel."""

    def __init__(self, store, settings: Settings, clock):
        from bot.teams_channel import TeamsChannel

        self.store, self.settings, self.clock = store, settings, clock
        self.pacer = Pacer(LIMITS)
        self.app, adapter = make_app(settings, self.pacer)
        self.loop = EventLoop()
        _listen(self)
        self.door = TeamsDoor(self.app, adapter, self.loop)
        self.channel = TeamsChannel(self)
        self.on_queued = lambda broadcast_id: None  # the dispatcher's kick, set by bot.web


def mount(app: Flask, bot: TeamsBot) -> None:
    # Open to the network: the SDK authenticates every activity (Bot Framework JWT) before a listener runs.
    app.add_url_rule(ENDPOINT, "teams_messages", public(lambda: bot.door.handle(request)), methods=["POST"])


def card_action(bot: TeamsBot, actor: dict, verb: str, data: dict) -> dict:
    """The one hook from an ``Action.Execute`` invoke to ``bot.teams_actions``
    (the notice cards' actions): its answer is the invoke response's body
    (the updated card, or a message); a forward kicks the dispatcher."""
    from bot import teams_actions

    return teams_actions.card_action(bot.store, actor, verb, data, bot.clock(), bot.settings.lang,
                                     on_queued=bot.on_queued, public_url=bot.settings.link_base)


def _listen(bot: TeamsBot) -> None:
    app, lang = bot.app, bot.settings.lang

    @app.on_message
    async def on_message(ctx):
        activity = ctx.activity
        activity.strip_mentions_text()
        person = await _remember(bot, ctx, activity.from_)
        actor = permissions.teams_actor(bot.store, person.aad_object_id, person.email)
        personal = activity.conversation.conversation_type == "personal"
        text = await asyncio.to_thread(teams_ask.answer, bot.store, activity.text or "", actor, bot.clock(), lang,
                                       bot.settings.link_base, personal)
        await ctx.send(MessageActivityInput(text=text).with_text_format("plain"))

    @app.on_conversation_update
    async def on_conversation_update(ctx):
        added = ctx.activity.members_added or []
        if any(member.id == ctx.activity.recipient.id for member in added):
            await _remember_roster(bot, ctx)
        else:
            for member in added:
                await _remember(bot, ctx, member)

    @app.on_installation_update
    async def on_installation_update(ctx):
        if getattr(ctx.activity, "action", None) == "add":
            await _remember_roster(bot, ctx)

    @app.on_card_action
    async def on_card_action(ctx):
        activity = ctx.activity
        # Who pressed: the authenticated activity's user, by the e-mail we stored or Teams' roster gives;
        # the card's data only names the delivery.
        person = await _remember(bot, ctx, activity.from_)
        action = activity.value.action
        actor = {"aad_object_id": person.aad_object_id, "email": person.email, "name": person.name}
        return await asyncio.to_thread(card_action, bot, actor, action.verb or "", dict(action.data or {}))


async def _remember(bot: TeamsBot, ctx, account) -> TeamsPerson:
    """The person behind ``account`` in this conversation, stored as reachable;
    their e-mail from what we stored, else from Teams' roster."""
    known = teams_people.by_aad(bot.store, account.aad_object_id or "") if account.aad_object_id else None
    email = (known or {}).get("email")
    if not email:
        try:
            member = await ctx.api.conversations.get_member_by_id(ctx.activity.conversation.id, account.id)
            email = member.email or member.user_principal_name
        except Exception as error:  # noqa: BLE001 - an answer without e-mail beats none
            log.warning("Teams roster look-up of %s failed: %s", account.id, error)
    person = _person(ctx.activity, account, email)
    await asyncio.to_thread(teams_people.remember, bot.store, person, bot.clock())
    return person


async def _remember_roster(bot: TeamsBot, ctx) -> None:
    """The app was installed for a person, a chat or a team: everyone on its roster."""
    members = await ctx.api.conversations.get_members(ctx.activity.conversation.id)
    for member in members:
        person = _person(ctx.activity, member, member.email or member.user_principal_name)
        await asyncio.to_thread(teams_people.remember, bot.store, person, bot.clock())


def _person(activity, account, email: str | None) -> TeamsPerson:
    conversation = activity.conversation
    personal = conversation.conversation_type == "personal"
    tenant = conversation.tenant_id or (activity.channel_data.tenant.id if activity.channel_data and
                                         activity.channel_data.tenant else None)
    return TeamsPerson(aad_object_id=account.aad_object_id or "", email=(email or "").strip().lower() or None,
                       name=account.name, tenant_id=tenant, service_url=activity.service_url,
                       user_id=account.id, conversation_id=conversation.id if personal else None)
