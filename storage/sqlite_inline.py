"""SQLite units of work without a thread hop per statement: an async face over a synchronous Session.

aiosqlite runs every call on its own thread and hands each result back through the event loop:
through SQLAlchemy that is ~300 µs per statement, against ~12 µs for the same statement called
directly (measured in bench/, see docs/BENCHMARKS.md). A message makes about ten statements, each
microseconds of work on a local file, so SQLite units of work run them on the loop's own thread.

Nothing may then wait inside a call, or the whole bot would wait with it. In WAL mode only one
thing waits: taking the write lock that another writer (the calendar, a `zsbot` command in another
process) holds. So BEGIN IMMEDIATE is tried without a busy timeout and, while the lock is taken,
retried after an `asyncio.sleep` — the loop keeps serving — for up to LOCK_WAIT seconds, the same
patience the aiosqlite engine has. Readers never wait on the writer in WAL mode.

The rest of the code sees the few AsyncSession / AsyncConnection methods it uses: execute, get,
connection, in_transaction, begin_nested, flush, commit, rollback, close, add, expunge_all, bind, info.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from storage.direct import marked, run_sqlite

LOCK_WAIT = 30.0  # seconds, as the aiosqlite engine's busy timeout
BUSY_TIMEOUT_MS = 30000


def _locked(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


class InlineConnection:
    """The session's connection, for Core statements: what storage/session_connection.py uses of an
    AsyncConnection (`execute`, `dialect`, `closed`, `in_transaction`)."""

    def __init__(self, conn: Connection) -> None:
        self.sync = conn

    @property
    def dialect(self) -> Dialect:
        return self.sync.dialect

    @property
    def closed(self) -> bool:
        return self.sync.closed

    def in_transaction(self) -> bool:
        return self.sync.in_transaction()

    async def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.sync.execute(statement, parameters, **kw)


class _Savepoint:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._tx: SessionTransaction | None = None

    async def __aenter__(self) -> SessionTransaction:
        self._tx = self._session.begin_nested()
        return self._tx

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._tx is not None
        self._tx.__exit__(kind, exc, tb)


class InlineSession:
    """What the repositories use of an AsyncSession, over a synchronous Session."""

    def __init__(self, session: Session) -> None:
        self.sync = session

    @property
    def bind(self) -> Any:
        return self.sync.get_bind()

    @property
    def info(self) -> dict[Any, Any]:
        return self.sync.info

    async def connection(self, execution_options: dict[str, Any] | None = None) -> InlineConnection:
        deadline = time.monotonic() + LOCK_WAIT
        delay = 0.002
        while True:
            try:
                return InlineConnection(self.sync.connection(execution_options=execution_options))
            except OperationalError as exc:
                if not _locked(exc) or time.monotonic() + delay > deadline:
                    raise
                self.sync.rollback()
            await asyncio.sleep(delay)  # another writer holds the lock: let the loop run meanwhile
            delay = min(delay * 2, 0.05)

    async def _begun(self) -> None:
        # A statement after a commit would begin a new transaction inside the synchronous call,
        # where a taken lock cannot be waited for: begin it here, where it can.
        if not self.sync.in_transaction():
            await self.connection()

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        await self._begun()
        found = marked(statement)
        if found is not None and not kw and (params is None or isinstance(params, dict)):
            # A projector's statement built once, on the driver's connection (storage/direct.py). The session
            # does not autoflush, so nothing the ORM holds was due to go first.
            conn = self.sync.connection()
            return run_sqlite(conn.connection.dbapi_connection, conn.dialect, found.compiled(conn.dialect, params),
                              params)
        return self.sync.execute(statement, params, **kw)

    async def get(self, entity: Any, ident: Any, **kw: Any) -> Any:
        await self._begun()
        return self.sync.get(entity, ident, **kw)

    def in_transaction(self) -> bool:
        return self.sync.in_transaction()

    async def flush(self) -> None:
        self.sync.flush()

    # AsyncSession's own synchronous methods
    def add(self, instance: Any) -> None:
        self.sync.add(instance)

    def expunge_all(self) -> None:
        self.sync.expunge_all()

    def begin_nested(self) -> _Savepoint:
        return _Savepoint(self.sync)

    async def commit(self) -> None:
        self.sync.commit()

    async def rollback(self) -> None:
        self.sync.rollback()

    async def close(self) -> None:
        self.sync.close()


def make_inline_engine(url: str, begin_option: str) -> Engine:
    """A synchronous SQLite engine with the same settings as the aiosqlite one (storage/engine.py),
    except that a writer's BEGIN IMMEDIATE does not wait for the lock (InlineSession retries it)."""
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(begin_option, "IMMEDIATE")
        # A writer's BEGIN IMMEDIATE must not wait (the caller retries it); once it holds the write
        # lock nothing it runs waits in WAL mode, so the connection keeps busy_timeout 0 until a
        # reader needs the timeout back. Set only on a change: a message is one writer after another.
        _busy_timeout(conn, BUSY_TIMEOUT_MS if mode == "DEFERRED" else 0)
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _busy_timeout(conn: Connection, ms: int) -> None:
    info = conn.connection.info
    if info.get("busy_timeout") != ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={ms}")
        info["busy_timeout"] = ms


def inline_sessionmaker(engine: Engine) -> Callable[[], InlineSession]:
    make = sessionmaker(engine, expire_on_commit=False, autoflush=False)
    return lambda: InlineSession(make())
