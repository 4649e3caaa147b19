"""What the console needs from the settings, resolved once by the composition root."""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core.workdays import Official


def _weekends(_: date) -> bool | None:
    return None  # no official calendar: weekends plus the org file's extras (core/workdays.py)


@dataclass(frozen=True)
class WecomLogin:
    """企业微信网页授权: the corp and agent the authorize URL names, and the API call that turns the
    code WeCom hands back into a userid (None: WeCom refused the code)."""

    corp_id: str
    agent_id: int
    userid: Callable[[str], Awaitable[str | None]]
    authorize_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"
    channel: str = "wecom"        # the channel whose bound identities the userid is looked up on


@dataclass(frozen=True)
class WebConfig:
    base_url: str                   # what login links start with (ZSBOT_WEB_URL)
    secret: bytes                   # signs cookies and CSRF tokens (ZSBOT_WEB_SECRET)
    tz: ZoneInfo
    idle: timedelta = timedelta(minutes=60)
    locale: str = "zh_CN"
    official: Official = field(default=_weekends)   # working days, for the half-monthly deadlines
    wecom: WecomLogin | None = None

    @property
    def secure_cookie(self) -> bool:
        return self.base_url.startswith("https://")


def web_config(settings: object, base_url: str | None = None, *, official: Official = _weekends,
               wecom: WecomLogin | None = None) -> WebConfig:
    """From bot.config.Settings; without ZSBOT_WEB_SECRET a random key per start (sessions end at restart)."""
    from bot.config import Settings

    assert isinstance(settings, Settings)
    key = settings.web_secret.get_secret_value() if settings.web_secret else secrets.token_urlsafe(32)
    return WebConfig(base_url or settings.web_base_url(), key.encode("utf-8"), settings.tz,
                     timedelta(minutes=settings.web_idle_minutes), settings.locale, official, wecom)
