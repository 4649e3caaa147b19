"""The unit of work's connection for the statements every message runs."""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import ledger_lock
from storage.direct import Direct, marked, run_asyncpg, run_sqlite
from storage.sqlite_inline import InlineConnection


class SessionConnection:
    """The unit of work's connection for Core statements on the hot path (they skip the ORM
    session's per-call work). A commit ends the session's transaction and releases its
    connection; the next statement takes the connection of the session's next transaction,
    begun the way the unit of work began (BEGIN IMMEDIATE for a SQLite writer; on PostgreSQL a
    writer's transaction owes the ledger lock until a statement needs it, storage/ledger_lock.py)."""

    def __init__(self, session: AsyncSession, options: dict[str, Any], *, writer: bool) -> None:
        self.session = session
        self.options = options
        self.writer = writer
        self.current: Any = None
        self._adapted: Any = None  # PostgreSQL: SQLAlchemy's asyncpg adaptation of `current`'s connection
        # A message's last write, waiting to go with its replies in one statement (PostgreSQL: the conversation
        # row, storage/upsert.py keep_after_conversation): (its kind, statement, parameters). Any other
        # statement, and the commit, send it alone first.
        self.waiting: tuple[str, Any, dict[str, Any]] | None = None

    def take_waiting(self) -> tuple[str, Any, dict[str, Any]] | None:
        waiting, self.waiting = self.waiting, None
        return waiting

    async def flush(self) -> None:
        waiting = self.take_waiting()
        if waiting is not None:
            await self.execute(waiting[1], waiting[2], lock_free=True)

    @property
    def dialect(self) -> Any:
        bind = self.session.bind
        assert bind is not None, "a unit of work's session is bound to its engine"
        return bind.dialect

    async def begin(self) -> Any:
        # Options apply only to a transaction not yet begun (an ORM statement may have begun it).
        options = None if self.session.in_transaction() else self.options
        self.current = await self.session.connection(execution_options=options)
        self._adapted = None
        return self.current

    async def execute(self, statement: Any, parameters: Any = None, *, lock_free: bool = False) -> Any:
        """`lock_free`: a message's own bookkeeping, which a writer runs without the ledger lock
        (storage/ledger_lock.py says which statements are, and why)."""
        if self.waiting is not None:
            await self.flush()
        conn = self.current
        if conn is None or conn.closed or not conn.in_transaction():
            conn = await self.begin()
        found = marked(statement)
        if found is not None and (parameters is None or isinstance(parameters, dict)):  # not an executemany
            return await self._direct(conn, found, parameters, lock_free)
        return await conn.execute(statement, parameters, execution_options=ledger_lock.FREE if lock_free else None)

    async def _direct(self, conn: Any, statement: Direct, parameters: Any, lock_free: bool) -> Any:
        """A statement on the driver's connection, in this transaction (storage/direct.py)."""
        compiled = statement.compiled(conn.dialect, parameters)
        if isinstance(conn, InlineConnection):
            return run_sqlite(conn.sync.connection.dbapi_connection, conn.dialect, compiled, parameters)
        if self._adapted is None:
            self._adapted = (await conn.get_raw_connection()).dbapi_connection
        lock = not lock_free and ledger_lock.owed(conn.sync_connection)
        try:
            return await run_asyncpg(self._adapted, conn.dialect, compiled, parameters, lock=lock)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                await conn.invalidate(exc)  # as SQLAlchemy does with a lost connection: the pool drops it
            raise
