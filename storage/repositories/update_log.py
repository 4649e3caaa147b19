"""`uow.updates`: which channel deliveries were handled, so a repeat within 24 hours has no effect."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert
from storage.session_connection import SessionConnection
from storage.tables.operational import ProcessedUpdateRow


class SqlUpdateLog:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn
        self._now = clock_now

    async def seen(self, channel: str, update_id: str) -> bool:
        """True when this update was handled in the last 24 hours; otherwise it is recorded as handled now.
        One statement: the row is inserted, or an older one (an id the channel reused) refreshed."""
        now = self._now()
        values = {"channel": channel, "update_id": update_id, "at": now, "cutoff": now - timedelta(hours=24)}
        # Lock-free: the primary key decides, a concurrent second delivery waits for the first's commit.
        done: CursorResult[Any] = await self.c.execute(upsert.record_update(self.c.dialect.name), values,
                                                       lock_free=True)
        return done.rowcount == 0

    async def forget_before(self, before: datetime) -> int:
        # A DELETE's result is a CursorResult, which has the rowcount; Session.execute types it as a Result.
        done = cast(CursorResult[Any],
                    await self.s.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.at < before)))
        return done.rowcount or 0

