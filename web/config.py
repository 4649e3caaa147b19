"""What the console needs from the settings, resolved once by the composition root."""
from __future__ import annotations

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
