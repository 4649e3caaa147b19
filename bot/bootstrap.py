"""The composition root: the one place that sees every piece and wires them together."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from core.clock import Clock, SystemClock
from core.org import OrgConfig, load_org
from core.usecases.org import BindIdentity, ConfigureOrg, configure_org, seed_members
from storage.database import Database

if TYPE_CHECKING:
    from handlers.router import Conversations


def read_org_file(path: Path) -> OrgConfig:
    """Read and check an organisation file (ConfigError names the key and line)."""
    from core.org import ConfigError

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(str(path), "(文件编码)", "不是 UTF-8 编码：请用 UTF-8 另存该文件", line) from None
    return load_org(text, source=str(path))


def open_database(settings: Settings, clock: Clock | None = None) -> Database:
    from sqlalchemy.engine import make_url

    from storage.engine import DatabaseUrlError, is_sqlite

    url = settings.database_url
    if is_sqlite(url):
        # SQLite only says "unable to open database file"; name the directory the operator must fix.
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).parent.is_dir():
            raise DatabaseUrlError(f"ZSBOT_DATABASE_URL: SQLite 数据库所在目录不存在：{Path(path).parent}")
    return Database(url, clock or SystemClock())


@dataclass(frozen=True)
class InitResult:
    configured: bool
    members_added: int


async def initialise(db: Database, org: OrgConfig | None, *, demo_members: bool) -> InitResult:
    """Migrate the schema, then record the organisation (and demo members) if they changed."""
    await db.migrate()
    if org is None:
        return InitResult(False, 0)
    async with db.uow() as uow:
        configured = await configure_org(uow, ConfigureOrg(org))
        added = await seed_members(uow, org) if demo_members else 0
        await uow.commit()
    return InitResult(configured, added)


def build_conversations(settings: Settings, db: Database, *, bot_username: str | None = None) -> "Conversations":
    """The conversation core over this database, in the configured language and time zone."""
    from datetime import timedelta

    from handlers.catalog import use_locale
    from handlers.flows.web import use_web_url
    from handlers.router import Conversations
    from reminders.calendar import workdays
    from reports.fonts import use_font

    use_locale(settings.locale)
    use_font(settings.chart_font)  # the ranking chart in /rank and the ranking-day pushes
    use_web_url(settings.web_base_url())  # the console's login links (/web)
    return Conversations(db.uow, tz=settings.tz, workdays=workdays, timeout=timedelta(minutes=settings.conversation_timeout_minutes),
                         bot_username=bot_username)


async def console_identity(db: Database, ref: str) -> tuple[str, str]:
    """(sender id, display name) for `zsbot chat --as REF`: a member by name or id is bound to the
    console on the spot (the operator already holds the database); any other name is a stranger
    who must /start with an invite like everyone else."""
    from bot.views import find_member
    from core.usecases.org import bind_identity

    async with db.uow() as uow:
        member = find_member(await uow.org.members(), ref)
        if member is None:
            return f"guest:{ref}", ref
        external = f"member:{member.id}"
        if await uow.org.identity("console", external) is None:
            await bind_identity(uow, member, BindIdentity(channel="console", external_id=external, chat_id=external))
            await uow.commit()
        return external, member.name
