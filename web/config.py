"""What the console needs from the settings, resolved once by the composition root (`bot/composition.py`
`web_config`)."""
from __future__ import annotations

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
