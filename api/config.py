"""Settings, read from the environment in one place (see DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from handlers.digest_schedule import Schedule, parse_schedule


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
            public_url=env.get("KKRBOT_PUBLIC_URL") or f"http://localhost:{port}",
            slack_rate_limits=env.get("SLACK_RATE_LIMITS") or "",
            smtp_per_minute=int(env.get("SMTP_PER_MINUTE") or 0) or None,
            digest=parse_schedule(env.get("KKRBOT_DIGEST")),  # a bad value stops the start with its reason
        )

    @property
    def slack_enabled(self) -> bool:
        """Slack is on with a bot token and a way to hear from Slack: the
        signing secret of HTTP events or a Socket Mode app token."""
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def slack_over_http(self) -> bool:
        """``POST /slack/events`` is served unless Socket Mode replaces it."""
        return self.slack_enabled and bool(self.slack_signing_secret) and not self.slack_app_token
