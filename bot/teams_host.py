"""Hosting the Teams SDK inside the Flask web process.

The SDK (``microsoft_teams.apps``) is asyncio-based and would run its own
FastAPI server; kkr-bot serves the API, the e-mailed pages and Slack from
one WSGI app under gunicorn, so Teams joins it there: ``FlaskAdapter`` is
the SDK's ``HttpServerAdapter`` that only keeps the messaging endpoint's
handler, and ``POST /teams/messages`` hands each request to it on one
long-lived event loop per process (``EventLoop``, a thread started on first
use, so after gunicorn forks).  The SDK's own JWT validation, token cache
and clients then run unchanged, and everything of the SDK a process does
(inbound activities, the dispatcher's proactive sends) shares that loop.

Configuration comes only from ``Settings``: the endpoints of the SDK's
``CloudEnvironment`` are replaced from ``TEAMS_LOGIN_URL``,
``TEAMS_OPENID_URL`` and ``TEAMS_TOKEN_ISSUER``, and the bot's outbound
token is one client-credentials POST of our own (the SDK's ``token``
option), since MSAL refuses an authority that is not https.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import os
import threading
import time

import httpx
from flask import Request, Response
from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment
from microsoft_teams.apps import App
from microsoft_teams.apps.http.adapter import HttpRequest
from microsoft_teams.common import Client, ClientOptions

from api.config import Settings
from bot.pacing import Pacer

log = logging.getLogger(__name__)
ENDPOINT = "/teams/messages"
ANSWER_WITHIN = 25.0  # seconds; Teams gives up on the bot after about 15, gunicorn kills a worker at 30
RETRIED = frozenset({412, 429, 502, 504})
TRIES = 5
SEND = "teams.send"  # the pacer's name for posts to the connector


class EventLoop:
    """One asyncio loop in a daemon thread per process, started on first use
    (a loop does not survive ``fork``, so a forked child starts its own)."""

    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._guard = threading.Lock()

    def run(self, coroutine, timeout: float = ANSWER_WITHIN):
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._running()).result(timeout)

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, name="kkr-teams-loop", daemon=True).start()
            return self._loop


class FlaskAdapter:
    """The SDK's ``HttpServerAdapter``: keeps the messaging endpoint's
    handler for the Flask route; the server itself is the web process's."""

    def __init__(self):
        self.handler = None

    def register_route(self, method, path, handler) -> None:
        if method != "POST" or path != ENDPOINT:
            raise ValueError(f"kkr-bot serves only POST {ENDPOINT}, not {method} {path}")
        self.handler = handler

    def serve_static(self, path, directory) -> None:
        raise NotImplementedError("kkr-bot serves no static files for Teams")

    async def start(self, port: int) -> None:
        raise NotImplementedError("Teams is served by the web process (POST /teams/messages)")

    async def stop(self) -> None:
        return None


def cloud_of(settings: Settings) -> CloudEnvironment:
    """The public cloud with the endpoints the settings override."""
    overrides = {"login_endpoint": settings.teams_login_url, "openid_metadata_url": settings.teams_openid_url,
                 "token_issuer": settings.teams_token_issuer}
    return dataclasses.replace(PUBLIC, **{k: v.rstrip("/") for k, v in overrides.items() if v})


class ClientCredentials:
    """The bot's access token: one client-credentials POST to
    ``{login}/{tenant}/oauth2/v2.0/token``, kept until a minute before it
    expires.  Called by the SDK as ``token(scope, tenant_id)``."""

    def __init__(self, settings: Settings, cloud: CloudEnvironment):
        self.app_id, self.password = settings.teams_app_id, settings.teams_app_password or ""
        self.tenant = settings.teams_tenant_id or cloud.login_tenant
        self.login = cloud.login_endpoint
        self._tokens: dict[str, tuple[str, float]] = {}

    async def __call__(self, scope: str, tenant_id: str | None = None) -> str:
        cached = self._tokens.get(scope)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        async with httpx.AsyncClient(timeout=20) as http:
            answer = await http.post(f"{self.login}/{self.tenant}/oauth2/v2.0/token", data={
                "grant_type": "client_credentials", "client_id": self.app_id, "client_secret": self.password,
                "scope": scope})
        answer.raise_for_status()
        body = answer.json()
        self._tokens[scope] = (body["access_token"], time.monotonic() + float(body.get("expires_in", 3600)) - 60)
        return body["access_token"]


class Retrying:
    """Client middleware: a connector answer of 429, 412, 502 or 504 is
    tried again after its ``Retry-After`` (else 1, 2, 4 ... s), up to
    ``TRIES`` times; a 429 also blocks and slows the pacer's sends.  The SDK
    does not retry by itself."""

    def __init__(self, pacer: Pacer, sleep=asyncio.sleep):
        self.pacer, self.sleep = pacer, sleep

    async def send(self, context, next):  # noqa: A002 - the SDK passes it by this name
        for attempt in range(TRIES):
            try:
                return await next()
            except httpx.HTTPStatusError as error:
                status = error.response.status_code
                if status not in RETRIED or attempt == TRIES - 1:
                    raise
                wait = retry_after(error.response.headers.get("Retry-After"), 2.0 ** attempt)
                if status == 429:
                    self.pacer.refused(SEND, wait)
                log.info("connector answered %s to %s %s; trying again in %.1f s", status, context.method,
                         context.url, wait)
                await self.sleep(wait)
        raise AssertionError("unreachable")


def retry_after(header: str | None, default: float) -> float:
    """``Retry-After`` in seconds (a number or an HTTP date), capped at a minute."""
    if not header:
        return default
    try:
        seconds = float(header)
    except ValueError:
        moment = email.utils.parsedate_to_datetime(header)
        seconds = moment.timestamp() - time.time() if moment else default
    return min(max(seconds, 0.0), 60.0)


def make_app(settings: Settings, pacer: Pacer) -> tuple[App, FlaskAdapter]:
    cloud = cloud_of(settings)
    client = Client(ClientOptions(timeout=20))
    client.use(Retrying(pacer))
    adapter = FlaskAdapter()
    app = App(client_id=settings.teams_app_id, token=ClientCredentials(settings, cloud),
              tenant_id=settings.teams_tenant_id, service_url=settings.teams_service_url or None, cloud=cloud,
              client=client, http_server_adapter=adapter, messaging_endpoint=ENDPOINT, state=False,
              dangerously_allow_unauthenticated_requests=False)  # never from the environment
    return app, adapter


class TeamsDoor:
    """``POST /teams/messages``: the SDK authenticates the activity (a 401
    runs nothing) and routes it to the listeners of ``bot.teams``."""

    def __init__(self, app: App, adapter: FlaskAdapter, loop: EventLoop):
        self.app, self.adapter, self.loop = app, adapter, loop
        loop.run(app.initialize())

    def handle(self, request: Request) -> Response:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            log.warning("refused a Teams activity without a token from %s", request.remote_addr)
            return _json({"error": "Unauthorized"}, 401)
        try:
            body = json.loads(request.get_data() or b"null")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return _json({"error": "Bad Request"}, 400)
        answer = self.loop.run(self.adapter.handler(HttpRequest(body=body, headers=dict(request.headers))))
        if answer["status"] == 401:
            log.warning("refused a Teams activity that failed authentication from %s", request.remote_addr)
        return _json(answer.get("body"), answer["status"])


def _json(body, status: int) -> Response:
    if body is None:
        return Response(status=status)
    return Response(json.dumps(body), status=status, mimetype="application/json")
