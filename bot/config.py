"""Settings, read once from the environment (ZSBOT_*) and an optional .env file."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from core.evidence import FilePolicy

SUPPORTED_LOCALES = ("zh_CN",)
BUNDLED_ORG = Path(__file__).parent / "data" / "guiyang.toml"


class SettingsError(ValueError):
    """One line naming the variable and what is wrong with it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZSBOT_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    database_url: str = "sqlite:///zsbot.db"
    timezone: str = "Asia/Shanghai"
    locale: str = "zh_CN"
    org_file: Path | None = None
    conversation_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Replies committed but not sent (a crash between the two): after the lease they go through the
    # outbox, if stored within the window (handlers/stored_replies.py).
    reply_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    reply_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # The ranking chart's font file; unset: the bundled Noto Sans SC (pylopdf-fonts-zh-cn).
    chart_font: Path | None = None

    channel: Literal["console", "telegram", "wecom"] = "console"
    telegram_framework: Literal["ptb", "aiogram"] = "ptb"
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1:8080"
    webhook_secret: SecretStr | None = None

    # The calendar (reminders, escalations, dispatch, ranking day) runs in this process; with several
    # processes on one PostgreSQL database only the one holding the advisory lock sends.
    calendar: bool = True
    calendar_poll_seconds: float = Field(default=60.0, ge=1, le=3600)

    outbox_per_chat_per_second: float = Field(default=1.0, gt=0)
    outbox_per_second: float = Field(default=30.0, gt=0)
    outbox_per_group_per_minute: float = Field(default=20.0, gt=0)

    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: SecretStr | None = None
    wecom_token: SecretStr | None = None
    wecom_aes_key: SecretStr | None = None
    wecom_api_url: str = "https://qyapi.weixin.qq.com"
    wecom_oauth_url: str = "https://open.weixin.qq.com/connect/oauth2/authorize"  # 政务微信: the deployment's own
    wecom_listen: str = "127.0.0.1:8081"
    # Choices as button cards (模板卡片): `auto` tries them and falls back to numbered lists for good when
    # the deployment answers that it has no such message type; `on` always tries; `off` never does.
    wecom_cards: Literal["auto", "on", "off"] = "auto"

    # Evidence (附件): the largest file kept (Telegram bots download at most 20 MB) and the MIME types allowed,
    # comma-separated, `*` as a wildcard (application/vnd.openxmlformats-officedocument.*); unset: images,
    # PDF, OFD and Office/WPS documents (core/evidence.py DEFAULT_TYPES).
    attachment_max_mb: int = Field(default=20, ge=1, le=20)
    attachment_types: str | None = None

    # The web console (`zsbot web`): where it listens, the public base URL its login links use, the key
    # that signs its cookies (unset: a random one per start, so sessions end when it restarts).
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_url: str | None = None
    web_secret: SecretStr | None = None
    web_idle_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知时区 {v!r}（例如 Asia/Shanghai）") from None
        return v

    @field_validator("locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        if v not in SUPPORTED_LOCALES:
            raise ValueError(f"不支持的语言 {v!r}，可用：{', '.join(SUPPORTED_LOCALES)}")
        return v

    @field_validator("database_url")
    @classmethod
    def _url(cls, v: str) -> str:
        from storage.engine import DatabaseUrlError, async_url

        try:
            async_url(v)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("webhook_listen", "wecom_listen")
    @classmethod
    def _listen(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"应为 主机:端口，例如 0.0.0.0:8080，而不是 {v!r}")
        return v

    @field_validator("web_url")
    @classmethod
    def _web_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError(f"应以 http:// 或 https:// 开头，例如 https://zs.example.gov.cn，而不是 {v!r}")
        return v.rstrip("/") if v else v

    def web_base_url(self) -> str:
        """The base URL login links start with: ZSBOT_WEB_URL, else the listener's own address."""
        return self.web_url or f"http://{self.web_host}:{self.web_port}"

    @field_validator("attachment_types")
    @classmethod
    def _types(cls, v: str | None) -> str | None:
        if v is None:
            return v
        types = [x.strip() for x in v.split(",") if x.strip()]
        bad = [x for x in types if "/" not in x]
        if not types or bad:
            raise ValueError(f"应为逗号分隔的 MIME 类型，如 image/*,application/pdf，而不是 {(bad or [v])[0]!r}")
        return ",".join(types)

    def file_policy(self) -> "FilePolicy":
        """What an attachment may be: at most ZSBOT_ATTACHMENT_MAX_MB, of the types ZSBOT_ATTACHMENT_TYPES allows."""
        from core.evidence import DEFAULT_TYPES, FilePolicy

        allowed = tuple(self.attachment_types.split(",")) if self.attachment_types else DEFAULT_TYPES
        return FilePolicy(max_bytes=self.attachment_max_mb * 1024 * 1024, allowed=allowed)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def org_path(self) -> Path:
        return self.org_file or BUNDLED_ORG


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; a bad value becomes one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        message = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"ZSBOT_{field.upper()}: {message}") from None
