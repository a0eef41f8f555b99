"""A fake Bot Framework over real HTTP on loopback, for the Teams tests.

One server plays the three services a Teams bot talks to:

- the OpenID metadata and its JWKS (``/v1/.well-known/openidconfiguration``,
  ``/v1/.well-known/keys``) holding an RSA key; ``signed_post`` sends an
  activity with a JWT signed by it (or by another key, or for another
  audience), the way the Bot Connector calls the bot's messaging endpoint;
- the token endpoint (``/login/<tenant>/oauth2/v2.0/token``): client
  credentials in, an access token out;
- the connector (``/connector/v3/...``): it records conversations created,
  activities posted and updated, answers member look-ups from ``members``,
  and answers the next N posts with 429 and ``Retry-After``
  (``refuse_posts``).  Every connector call must carry a token it issued.

Point the bot at it with ``settings(...)``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.request
from contextlib import contextmanager

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request

from tests.support.servers import serve_in_thread

APP_ID = "00000000-0000-0000-0000-0000000000b0"
APP_PASSWORD = "bot-secret"
TENANT = "11111111-2222-3333-4444-555555555555"
KID = "fake-bot-framework-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeBotFramework:
    def __init__(self):
        self.key = new_key()
        self.url = ""
        self.tokens_issued: list[dict] = []  # the token requests' form fields
        self.conversations: list[dict] = []  # bodies of POST /v3/conversations
        self.activities: list[dict] = []     # {"conversation", "id", "body"} of each accepted post
        self.updates: list[dict] = []        # {"conversation", "id", "body"} of each PUT
        self.refusals: list[tuple[str, int]] = []  # (path, status) of each refused call
        self.members: dict[str, dict] = {}   # user id (29:… or AAD id) → TeamsChannelAccount
        self.rosters: dict[str, list[str]] = {}  # conversation → its members' user ids (default: every member)
        self._refuse: list[tuple[int, float]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._valid_tokens: set[str] = set()

    # -- set-up and look ----------------------------------------------------
    @property
    def issuer(self) -> str:
        return self.url + "/issuer"

    @property
    def service_url(self) -> str:
        return self.url + "/connector/"

    def settings_env(self) -> dict:
        """The TEAMS_* variables that point the bot at this fake."""
        return {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": APP_PASSWORD, "TEAMS_TENANT_ID": TENANT,
                "TEAMS_LOGIN_URL": self.url + "/login",
                "TEAMS_OPENID_URL": self.url + "/v1/.well-known/openidconfiguration",
                "TEAMS_TOKEN_ISSUER": self.issuer, "TEAMS_SERVICE_URL": self.service_url}

    def add_member(self, user_id: str, aad_object_id: str, email: str, name: str) -> None:
        account = {"id": user_id, "aadObjectId": aad_object_id, "email": email, "userPrincipalName": email,
                   "name": name, "tenantId": TENANT}
        self.members[user_id] = self.members[aad_object_id] = account

    def refuse_posts(self, times: int, status: int = 429, retry_after: float = 1.0) -> None:
        """The next ``times`` activity posts get ``status`` with ``Retry-After``."""
        with self._lock:
            self._refuse.extend([(status, retry_after)] * times)

    def posted_to(self, conversation: str) -> list[dict]:
        return [a["body"] for a in self.activities if a["conversation"] == conversation]

    # -- inbound activities ---------------------------------------------------
    def token_for(self, activity: dict, key=None, audience: str = APP_ID, issuer: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer or self.issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + 600,
                  "serviceurl": activity.get("serviceUrl", self.service_url)}
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": KID})

    def signed_post(self, url: str, activity: dict, key=None, audience: str = APP_ID, token: str | None = "make",
                    ) -> tuple[int, object]:
        """POST ``activity`` to the bot's endpoint as the connector does:
        signed by this fake's key unless ``key`` is another; ``token=None``
        sends no Authorization at all."""
        headers = {"Content-Type": "application/json"}
        if token == "make":
            token = self.token_for(activity, key, audience)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(url, data=json.dumps(activity).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    # -- the server ------------------------------------------------------------
    def app(self) -> Flask:
        app = Flask("fake-bot-framework")

        @app.get("/v1/.well-known/openidconfiguration")
        def metadata():
            return jsonify({"issuer": self.issuer, "jwks_uri": self.url + "/v1/.well-known/keys",
                            "id_token_signing_alg_values_supported": ["RS256"]})

        @app.get("/v1/.well-known/keys")
        def keys():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return jsonify({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]})

        @app.post("/login/<tenant>/oauth2/v2.0/token")
        def token(tenant):
            form = request.form.to_dict()
            if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD or tenant != TENANT:
                return jsonify({"error": "invalid_client"}), 401
            now = int(time.time())
            value = jwt.encode({"iss": f"{self.url}/login/{tenant}/v2.0", "aud": "https://api.botframework.com",
                                "appid": APP_ID, "tid": tenant, "iat": now, "exp": now + 3600,
                                "jti": f"token-{next(self._ids)}"}, self.key, algorithm="RS256")
            with self._lock:
                self.tokens_issued.append(form)
                self._valid_tokens.add(value)
            return jsonify({"token_type": "Bearer", "expires_in": 3600, "access_token": value})

        @app.post("/connector/v3/conversations")
        def create_conversation():
            if not self._authorised():
                return jsonify({"error": "unauthorized"}), 401
            body = request.get_json()
            member = (body.get("members") or [{}])[0].get("id", "")
            with self._lock:
                self.conversations.append(body)
            return jsonify({"id": f"a:personal-{member}", "serviceUrl": self.service_url})

        @app.post("/connector/v3/conversations/<conversation>/activities")
        def post_activity(conversation):
            if not self._authorised():
                return jsonify({"error": "unauthorized"}), 401
            with self._lock:
                refused = self._refuse.pop(0) if self._refuse else None
                if refused:
                    self.refusals.append((request.path, refused[0]))
                else:
                    activity_id = f"activity-{next(self._ids)}"
                    self.activities.append({"conversation": conversation, "id": activity_id,
                                            "body": request.get_json()})
            if refused:
                return jsonify({"error": {"code": "TooManyRequests"}}), refused[0], {"Retry-After": str(refused[1])}
            return jsonify({"id": activity_id})

        @app.put("/connector/v3/conversations/<conversation>/activities/<activity_id>")
        def update_activity(conversation, activity_id):
            if not self._authorised():
                return jsonify({"error": "unauthorized"}), 401
            with self._lock:
                self.updates.append({"conversation": conversation, "id": activity_id, "body": request.get_json()})
            return jsonify({"id": activity_id})

        @app.get("/connector/v3/conversations/<conversation>/members")
        def members(conversation):
            if not self._authorised():
                return jsonify({"error": "unauthorized"}), 401
            unique = {m["aadObjectId"]: m for m in self.members.values()}
            if conversation in self.rosters:
                return jsonify([self.members[user] for user in self.rosters[conversation]])
            return jsonify(list(unique.values()))

        @app.get("/connector/v3/conversations/<conversation>/members/<user_id>")
        def member(conversation, user_id):
            if not self._authorised():
                return jsonify({"error": "unauthorized"}), 401
            found = self.members.get(user_id)
            return (jsonify(found), 200) if found else (jsonify({"error": {"code": "MemberNotFound"}}), 404)

        return app

    def _authorised(self) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and header[7:] in self._valid_tokens


@contextmanager
def fake_bot_framework():
    fake = FakeBotFramework()
    with serve_in_thread(fake.app()) as base:
        fake.url = base
        yield fake


def activity(fake: FakeBotFramework, kind: str, conversation: str, conversation_type: str, **fields) -> dict:
    """Any activity (``installationUpdate``, ``conversationUpdate`` ...) from Teams."""
    return {"type": kind, "id": f"act-{time.monotonic_ns()}", "channelId": "msteams",
            "serviceUrl": fake.service_url, "timestamp": "2026-11-23T08:00:00Z",
            "from": {"id": "29:jonas", "aadObjectId": "aad-jonas", "name": "Jonas Thor"},
            "recipient": {"id": f"28:{APP_ID}", "name": "kkr-bot"},
            "conversation": {"id": conversation, "conversationType": conversation_type, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}}, **fields}


def message(fake: FakeBotFramework, text: str, *, user: str = "29:jonas", aad: str = "aad-jonas",
            conversation: str = "a:personal-aad-jonas", kind: str = "personal", name: str = "Jonas Thor",
            mention: bool = False) -> dict:
    """A message activity as Teams sends it; ``mention`` puts an @mention of the bot in front."""
    entities = []
    if mention:
        text = f"<at>kkr-bot</at> {text}"
        entities = [{"type": "mention", "text": "<at>kkr-bot</at>",
                     "mentioned": {"id": f"28:{APP_ID}", "name": "kkr-bot"}}]
    return {"type": "message", "id": f"msg-{time.monotonic_ns()}", "text": text, "channelId": "msteams",
            "serviceUrl": fake.service_url, "timestamp": "2026-11-23T08:00:00Z",
            "from": {"id": user, "aadObjectId": aad, "name": name},
            "recipient": {"id": f"28:{APP_ID}", "name": "kkr-bot"},
            "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}}, "entities": entities}
