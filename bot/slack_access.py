"""Permissions where a Slack request enters: each Bolt listener declares its
act, ``app.command("/x", middleware=[requires(Act.X)])``, and the rule of
``handlers.permissions`` admits the Slack user before the listener runs.

A user is a consultant when ``KKRBOT_CONSULTANTS`` or the directory says so
(by Slack ID, else by the e-mail of their Slack profile, which costs one
``users.info`` call and is only asked for an act that needs a consultant);
anyone else in the workspace is a member.  A refused request runs no
listener and is answered at once with the act's reason: a slash command in
its ack (an ephemeral message), a modal as an error under its first field,
anything else through ``response_url``.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackClientError

from bot import render
from handlers import permissions
from handlers.errors import KkrError
from handlers.permissions import Act, Actor

log = logging.getLogger(__name__)


class Requires(Middleware):
    """Admits the Slack user to ``act`` and hands the listener who they are
    as ``context["actor"]``."""

    def __init__(self, act: Act, store, settings):
        self.act, self.store, self.settings = act, store, settings

    def process(self, *, req, resp, next) -> BoltResponse | None:
        try:
            actor = permissions.admit(self.actor(req), self.act)
        except KkrError as error:
            return _refuse(req, error, self.settings.lang)
        req.context["actor"] = actor
        next()
        return resp

    def actor(self, req) -> Actor:
        user_id = user_of(req.body)
        if permissions.needs_role(self.act) is None:
            return permissions.slack_actor(user_id)
        role = permissions.slack_role(self.store, user_id, self.settings.consultants,
                                      email=lambda: _profile_email(req.context.client, user_id))
        return permissions.slack_actor(user_id, role)

    @property
    def name(self) -> str:
        return f"Requires({self.act})"


def requirer(store, settings):
    """``requires(act)`` for the listeners of one app."""
    return lambda act: Requires(act, store, settings)


def user_of(body: dict) -> str:
    """The Slack user a command, an interaction or an event comes from."""
    user = body.get("user_id") or body.get("user") or (body.get("event") or {}).get("user") or ""
    return user.get("id", "") if isinstance(user, dict) else user


def _profile_email(client, user_id: str) -> str | None:
    try:
        return client.users_info(user=user_id)["user"].get("profile", {}).get("email")
    except SlackClientError as error:
        log.warning("users.info for %s failed: %s", user_id, error)
        raise KkrError("slack.unavailable") from error


def _refuse(req, error: KkrError, lang: str) -> BoltResponse:
    body, ack = req.body, req.context.ack
    reply = render.slack_error(error, lang)
    if body.get("command"):
        return ack(**reply)
    if body.get("type") == "view_submission":
        fields = list(body.get("view", {}).get("state", {}).get("values", {}))
        if fields:
            return ack(response_action="errors", errors={fields[0]: reply["text"]})
    answer = ack()
    if req.context.respond is not None:
        req.context.respond(**reply)
    return answer
