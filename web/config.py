"""What the console needs from the settings, resolved once by the composition root."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WebConfig:
    base_url: str                   # what login links start with (ZSBOT_WEB_URL)
    secret: bytes                   # signs cookies and CSRF tokens (ZSBOT_WEB_SECRET)
    tz: ZoneInfo
    idle: timedelta = timedelta(minutes=60)
    locale: str = "zh_CN"

    @property
    def secure_cookie(self) -> bool:
        return self.base_url.startswith("https://")


def web_config(settings: object, base_url: str | None = None) -> WebConfig:
    """From bot.config.Settings; without ZSBOT_WEB_SECRET a random key per start (sessions end at restart)."""
    from bot.config import Settings

    assert isinstance(settings, Settings)
    key = settings.web_secret.get_secret_value() if settings.web_secret else secrets.token_urlsafe(32)
    return WebConfig(base_url or settings.web_base_url(), key.encode("utf-8"), settings.tz,
                     timedelta(minutes=settings.web_idle_minutes), settings.locale)
