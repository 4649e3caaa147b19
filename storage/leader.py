"""One leader among several bot processes: the one that runs the scheduler and the outbox sender.

PostgreSQL: a session-level `pg_try_advisory_lock` on a connection of its own, kept open while
leading. `acquire()` is called every poll: the leader checks its connection is still alive, a
follower tries the lock again — so when the leader dies (its connection closes and the server
drops the lock) a follower leads from its next poll. SQLite: one process per database file, and
it leads.
"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("zsbot.leader")

# Distinct from storage.ledger_lock.LEDGER_LOCK_KEY (a transaction-level lock for writers).
SCHEDULER_LOCK_KEY = 0x7A73626F7401  # "zsbot" + 01


class LeaderLock:
    def __init__(self, engine: AsyncEngine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._sqlite = engine.dialect.name == "sqlite"
        self._conn: AsyncConnection | None = None
        self._leading = False
        self.backend_pid: int | None = None

    @property
    def is_leader(self) -> bool:
        """Whether this process led at its last `acquire()`; the outbox sender checks it before each batch."""
        return self._leading

    async def acquire(self) -> bool:
        """Lead if possible (or go on leading); False while another process holds the lock."""
        if self._sqlite:
            self._leading = True
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()
                return True
            except Exception:  # the connection (and with it the lock) is gone
                log.warning("lost the scheduler lock's connection; trying to lead again")
                await self._drop()
        try:
            conn = await self.engine.connect()
        except Exception:
            log.warning("cannot reach the database to try the scheduler lock", exc_info=True)
            return False
        try:
            got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar())
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() if got else None
            await conn.commit()  # the session lock outlives the transaction; do not sit idle in one
        except Exception:
            await conn.invalidate()
            await conn.close()
            return False
        if not got:
            await conn.close()
            return False
        self._conn, self._leading, self.backend_pid = conn, True, pid
        log.info("leading (scheduler lock taken, backend %s)", pid)
        return True

    async def release(self) -> None:
        """Stop leading: unlock and close, so a follower takes over at its next poll."""
        conn = self._conn
        self._leading = False
        if conn is None:
            return
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            await conn.commit()
            await conn.close()
        except Exception:
            await self._drop()
        finally:
            self._conn, self.backend_pid = None, None

    async def _drop(self) -> None:
        conn, self._conn, self._leading, self.backend_pid = self._conn, None, False, None
        if conn is not None:
            try:
                await conn.invalidate()
                await conn.close()
            except Exception:
                pass
