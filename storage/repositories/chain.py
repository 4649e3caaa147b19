"""`uow.chain` (core.ports.Chain) over SQL: the head, the walk, and the published checkpoints."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.checkpoints import Checkpoint
from storage import ledger
from storage.tables.ledger import CheckpointRow


class SqlChain:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def head(self) -> tuple[int, str]:
        return await ledger.head(self.s)

    async def verify(self) -> ledger.Verification:
        return await ledger.verify(self.s)

    async def publish(self, seq: int, hash: str, via: str, at: datetime) -> None:
        if seq <= 0:
            return  # the empty ledger proves nothing
        bind = self.s.bind
        assert bind is not None, "a unit of work's session is bound to its engine"
        dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(CheckpointRow.__table__).on_conflict_do_nothing(index_elements=["seq", "via"])
        await self.s.execute(stmt, {"seq": seq, "via": via[:80], "hash": hash, "published_at": at})

    async def checkpoints(self) -> list[Checkpoint]:
        rows = (await self.s.execute(select(CheckpointRow).order_by(
            CheckpointRow.seq, CheckpointRow.published_at, CheckpointRow.via))).scalars().all()
        return [Checkpoint(r.seq, r.hash, r.via, r.published_at) for r in rows]
