"""A database: its engine, its units of work, its schema (through Alembic)."""
from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import Clock, SystemClock
from storage.engine import BEGIN_OPTION, is_sqlite, make_engine, make_sessionmaker, sync_url
from storage.sqlite_inline import inline_sessionmaker, make_inline_engine
from storage.uow import KeptHead, SqlUnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("zsbot.storage")


class Database:
    def __init__(self, url: str, clock: Clock | None = None, *, channels: tuple[str, ...] | None = None,
                 **engine_kwargs: object) -> None:
        self.url = url
        self.clock = clock or SystemClock()
        self.channels = channels  # where member pushes go; None = every channel a member is bound on
        self.engine: AsyncEngine = make_engine(url, **engine_kwargs)
        # Units of work on SQLite run their statements on the loop's thread (storage/sqlite_inline.py);
        # the aiosqlite engine above keeps migrations, the leader lock and the tests' direct access.
        self._inline: Engine | None = make_inline_engine(sync_url(url), BEGIN_OPTION) if is_sqlite(url) else None
        self.sessionmaker: Callable[[], Any] = (inline_sessionmaker(self._inline) if self._inline is not None
                                                else make_sessionmaker(self.engine))
        # PostgreSQL: the head this process last committed, which an append starts from (storage/combined.py).
        self.kept_head: KeptHead | None = None if self._inline is not None else KeptHead()

    def uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessionmaker, self.clock, readonly=readonly, channels=self.channels,
                             kept=self.kept_head)

    __call__ = uow

    def with_clock(self, clock: Clock) -> "Database":
        """The same engines, another clock: an import that dates each event with a FixedClock of its own."""
        twin = copy.copy(self)
        twin.clock = clock
        return twin

    def retried_uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        """A unit of work for a caller that retries it on a lost connection (Conversations.handle):
        its connection is taken from the pool without the pre-ping round trip (storage/engine.py)."""
        return SqlUnitOfWork(self.sessionmaker, self.clock, readonly=readonly, channels=self.channels, retried=True,
                             kept=self.kept_head)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def migrate(self, revision: str = "heads") -> None:
        """Upgrade the schema with Alembic (run in the engine's connection, no second URL).

        A revision that adds projections of existing events says so (REBUILDS_PROJECTIONS), and
        the projections are then rebuilt from the ledger in the same run.
        """
        from storage.migrate import applied_rebuild_needed, code_heads, current_heads, upgrade

        async with self.engine.begin() as conn:
            before = await conn.run_sync(current_heads)
            await conn.run_sync(upgrade, revision)
            after = await conn.run_sync(current_heads)
        if before and before != after and applied_rebuild_needed(before, after):
            if after != code_heads():
                # The projectors are this code's and write the head schema; below head they cannot run.
                log.warning("projections need a rebuild: migrate to head, then run `zsbot ledger rebuild`")
                return
            from storage.projectors import rebuild

            async with self.uow() as uow:
                await rebuild(uow.session)
                await uow.commit()

    async def downgrade(self, revision: str) -> None:
        from storage.migrate import downgrade

        async with self.engine.begin() as conn:
            await conn.run_sync(downgrade, revision)

    async def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self.engine.dispose()
