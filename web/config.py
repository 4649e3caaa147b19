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
class SheetUpload:
    """A 台账 the office uploaded on /org/import, to be tried (dry_run) or imported as `actor_id`."""

    data: bytes
    filename: str
    actor_id: int
    dry_run: bool
    sheet: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class ImportRow:
    number: int                  # the sheet's row, as Excel shows it
    status: str                  # imported | updated | unchanged | refused | duplicate | skipped
    label: str                   # the status in Chinese
    message: str
    project_id: int | None = None


@dataclass(frozen=True)
class ImportReport:
    """What `zsbot import projects` prints, for a page: the mapping used, the counts, each row, and the sheet
    with its 导入结果 column."""

    filename: str
    sheet: str
    sha256: str
    dry_run: bool
    mapping: tuple[str, ...]
    summary: str
    rows: tuple[ImportRow, ...]
    workbook: bytes


class ImportRefused(Exception):
    """The file cannot be imported at all (not a sheet, no header row); str() is one Chinese sentence."""


# bot/importer's import over the composition root's database (web/ imports no bot/: it is handed this).
Importer = Callable[[SheetUpload], Awaitable[ImportReport]]


@dataclass(frozen=True)
class WebConfig:
    base_url: str                   # what login links start with (ZSBOT_WEB_URL)
    secret: bytes                   # signs cookies and CSRF tokens (ZSBOT_WEB_SECRET)
    tz: ZoneInfo
    idle: timedelta = timedelta(minutes=60)
    locale: str = "zh_CN"
    official: Official = field(default=_weekends)   # working days, for the half-monthly deadlines
    wecom: WecomLogin | None = None
    importer: Importer | None = None   # the 台账 upload on /org/import; None: the page says to use the CLI

    @property
    def secure_cookie(self) -> bool:
        return self.base_url.startswith("https://")
