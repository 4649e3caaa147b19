"""Database URLs and engines: plain sqlite:// or postgresql:// in, the async driver chosen here."""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession

from storage import ledger_lock
from storage.ledger_lock import LedgerSession

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
_KNOWN = {"sqlite+aiosqlite", "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg_async"}

# Options a unit of work passes to say how SQLite should begin its transaction.
BEGIN_OPTION = "zsbot_begin"


class DatabaseUrlError(ValueError):
    pass


def async_url(url: str) -> str:
    """sqlite:///x.db → sqlite+aiosqlite:///x.db; postgresql://… → postgresql+asyncpg://…"""
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseUrlError(f"无法解析数据库地址 {url!r}（示例：sqlite:///zsbot.db 或 postgresql://user@host/db）") from None
    name = parsed.drivername
    if name in _KNOWN:
        return parsed.render_as_string(hide_password=False)
    if name in _ASYNC_DRIVERS:
        return parsed.set(drivername=_ASYNC_DRIVERS[name]).render_as_string(hide_password=False)
    if name in ("postgresql+psycopg2", "postgresql+pg8000"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise DatabaseUrlError(f"不支持的数据库 {name!r}：请用 sqlite:/// 或 postgresql://")


def sync_url(url: str) -> str:
    """The same SQLite database for the synchronous driver: sqlite+aiosqlite:///x.db → sqlite:///x.db"""
    return make_url(async_url(url)).set(drivername="sqlite").render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(async_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    full = async_url(url)
    if make_url(full).get_backend_name() == "sqlite":
        engine = create_async_engine(full, connect_args={"timeout": 30}, **kwargs)
        _sqlite_transactions(engine)
        return engine
    engine = create_async_engine(full, **kwargs)
    ledger_lock.install(engine)
    _ping_unless_retried(engine)
    return engine


# Set while a unit of work whose caller retries it on a lost connection takes its connection.
RETRIED: ContextVar[bool] = ContextVar("zsbot_retried_on_lost_connection", default=False)


def _ping_unless_retried(engine: AsyncEngine) -> None:
    """The pool's pre-ping (a round trip that replaces a connection the server dropped), except for
    units of work whose caller retries them on a fresh connection anyway (Conversations.handle,
    storage/transient.py): there a dead pooled connection costs one retry after a server restart,
    where the ping would cost a round trip on every message. Everything else (the web console,
    the calendar, the outbox, the CLI) keeps it. SQLAlchemy's own `pool_pre_ping` cannot be
    switched per checkout, so this is its logic in a checkout listener."""

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if RETRIED.get():
            return
        dialect = engine.sync_engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                # As pool_pre_ping: every pooled connection older than this one is replaced too.
                raise InvalidatePoolError() from exc
            raise


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """PostgreSQL units of work's sessions: a writer's transaction owes the ledger lock (storage/ledger_lock.py)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, sync_session_class=LedgerSession)


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """SQLite: WAL, a busy timeout, and BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling begins lazily at the first write, so a writer could
    read the ledger head, lose a race and fail on commit; taking the write lock at BEGIN makes
    every writing unit of work serial, which is what keeps the hash chain from forking.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")
