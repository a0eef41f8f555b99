"""Settings, read from the environment in one place (see DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.digest_schedule import Schedule


CHANNELS = ("slack", "teams", "email")  # the order a delivery tries its recipient's channels in


@dataclass(frozen=True)
class Settings:
    db_path: str = "var/kkrbot.json"
    port: int = 3000
    lang: str = "da"
    tz: str = "Europe/Copenhagen"
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    consultants: tuple[str, ...] = field(default_factory=tuple)
    smtp_url: str | None = None
    mail_from: str = "kkr-bot@localhost"
    public_url: str | None = None
    max_body_bytes: int = 1_000_000
    dispatch_interval: float = 5.0
    slack_rate_limits: str = ""  # overrides of Slack's rate limits (bot.slack_limits), e.g. "chat.postMessage=20/s"
    smtp_per_minute: int | None = None  # e-mails sent at most per minute; None: no limit
    channels: tuple[str, ...] = CHANNELS  # KKRBOT_CHANNELS; the names are checked by bot.channels.registry
    teams_app_id: str | None = None  # the Azure bot's app id; None: Teams off (nothing of the SDK imported)
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_login_url: str | None = None   # token endpoint base; None: the public cloud's
    teams_openid_url: str | None = None  # OpenID metadata of inbound JWTs; None: the public cloud's
    teams_token_issuer: str | None = None
    teams_service_url: str | None = None  # connector for proactive sends when no conversation has told us one
    digest: Schedule | None = None  # KKRBOT_DIGEST: when the weekly digest goes out; None: never

    @classmethod
    def from_env(cls, env=None) -> "Settings":
        env = os.environ if env is None else env
        port = int(env.get("PORT") or 3000)
        return cls(
            db_path=env.get("KKRBOT_DB") or "var/kkrbot.json",
            port=port,
            lang=(env.get("KKRBOT_LANG") or "da").lower(),
            tz=env.get("KKRBOT_TZ") or "Europe/Copenhagen",
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_api_url=env.get("SLACK_API_URL") or "https://slack.com/api/",
            consultants=tuple(u.strip() for u in (env.get("KKRBOT_CONSULTANTS") or "").split(",") if u.strip()),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("KKRBOT_MAIL_FROM") or "kkr-bot@localhost",
            public_url=env.get("KKRBOT_PUBLIC_URL") or None,
            slack_rate_limits=env.get("SLACK_RATE_LIMITS") or "",
            smtp_per_minute=int(env.get("SMTP_PER_MINUTE") or 0) or None,
            channels=_names(env["KKRBOT_CHANNELS"]) if env.get("KKRBOT_CHANNELS") else CHANNELS,
            teams_app_id=env.get("TEAMS_APP_ID") or None,
            teams_app_password=env.get("TEAMS_APP_PASSWORD") or None,
            teams_tenant_id=env.get("TEAMS_TENANT_ID") or None,
            teams_login_url=env.get("TEAMS_LOGIN_URL") or None,
            teams_openid_url=env.get("TEAMS_OPENID_URL") or None,
            teams_token_issuer=env.get("TEAMS_TOKEN_ISSUER") or None,
            teams_service_url=env.get("TEAMS_SERVICE_URL") or None,
            digest=_digest(env.get("KKRBOT_DIGEST")),  # a bad value stops the start with its reason
        )

    @property
    def link_base(self) -> str:
        """The base of every link we send (e-mails, the Slack Home tab):
        ``KKRBOT_PUBLIC_URL``, else this server on the port it really
        listens on (``serve --port`` included)."""
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def slack_enabled(self) -> bool:
        """Slack is on with a bot token and a way to hear from Slack: the
        signing secret of HTTP events or a Socket Mode app token."""
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_over_http(self) -> bool:
        """``POST /slack/events`` is served unless Socket Mode replaces it."""
        return self.slack_enabled and bool(self.slack_signing_secret) and not self.slack_app_token


def _digest(text: str | None) -> Schedule | None:
    """``KKRBOT_DIGEST`` read; its parser is imported only when it is set (start-up of the shell)."""
    if not text:
        return None
    from handlers.digest_schedule import parse_schedule

    return parse_schedule(text)


def _names(text: str) -> tuple[str, ...]:
    """``"Slack, email"`` as ``("slack", "email")``."""
    return tuple(name.strip().lower() for name in text.split(",") if name.strip())
