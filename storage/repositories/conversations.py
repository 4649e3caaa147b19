"""`uow.conversations`: one open flow per member, read and written on the unit of work's connection."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.ports import ConversationState
from storage import upsert
from storage.session_connection import SessionConnection
from storage.tables.operational import ConversationRow

# Every message reads its conversation, and most save or clear it: built once.
_CONVERSATION = select(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key"))
_CLEAR_CONVERSATION = delete(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key"))


class SqlConversationRepository:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn  # Core statements on the session's connection skip the ORM's per-call work
        self._now = clock_now

    async def load(self, key: str) -> ConversationState | None:
        row = (await self.c.execute(_CONVERSATION, {"key": key})).first()
        if row is None:
            return None
        return ConversationState(key=row.key, flow=row.flow, step=row.step, data=json.loads(row.data),
                                 version=row.version, expires_at=row.expires_at, channel=row.channel,
                                 chat_id=row.chat_id)

    async def save(self, state: ConversationState) -> None:
        values = dict(key=state.key, flow=state.flow, step=state.step,
                      data=json.dumps(state.data, ensure_ascii=False), version=state.version,
                      expires_at=state.expires_at, updated_at=self._now(), channel=state.channel,
                      chat_id=state.chat_id)
        await self.c.execute(upsert.save_conversation(self.c.dialect.name), values)

    async def clear(self, key: str) -> None:
        await self.c.execute(_CLEAR_CONVERSATION, {"key": key})

    async def expired(self, now: datetime) -> list[ConversationState]:
        rows = (await self.s.execute(select(ConversationRow.key).where(ConversationRow.expires_at <= now))).scalars()
        return [s for k in rows.all() if (s := await self.load(k)) is not None]

