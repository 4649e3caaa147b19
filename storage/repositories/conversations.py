"""`uow.conversations`: one open flow per member, read and written on the unit of work's connection."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.conversation_state import ConversationState, split_stored, stored_data
from storage import upsert
from storage.direct import direct
from storage.ledger_lock import FREE
from storage.session_connection import SessionConnection
from storage.tables.operational import ConversationRow

# Every message reads its conversation, and most save or clear it: built once.
_CONVERSATION = direct(select(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key")))
_CLEAR_CONVERSATION = direct(delete(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key")))


class SqlConversationRepository:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn  # Core statements on the session's connection skip the ORM's per-call work
        self._now = clock_now

    async def load(self, key: str) -> ConversationState | None:
        row = (await self.c.execute(_CONVERSATION, {"key": key}, lock_free=True)).first()
        if row is None:
            return None
        data, control = split_stored(json.loads(row.data))
        return ConversationState(key=row.key, flow=row.flow, step=row.step, data=data,
                                 version=row.version, expires_at=row.expires_at, channel=row.channel,
                                 chat_id=row.chat_id, control=control)

    async def save(self, state: ConversationState, *, last: bool = False) -> None:
        values = dict(key=state.key, flow=state.flow, step=state.step,
                      data=json.dumps(stored_data(state), ensure_ascii=False), version=state.version,
                      expires_at=state.expires_at, updated_at=self._now(), channel=state.channel,
                      chat_id=state.chat_id)
        statement = upsert.save_conversation(self.c.dialect.name)
        if last and self.c.dialect.name == "postgresql":
            self.c.waiting = ("save", statement, values)  # goes with the replies (storage/upsert.py)
            return
        # Lock-free: the message's own row, locked by its opening read (storage/ledger_lock.py).
        await self.c.execute(statement, values, lock_free=True)

    async def clear(self, key: str, *, last: bool = False) -> None:
        if last and self.c.dialect.name == "postgresql":
            self.c.waiting = ("clear", _CLEAR_CONVERSATION, {"key": key})
            return
        await self.c.execute(_CLEAR_CONVERSATION, {"key": key}, lock_free=True)

    async def expired(self, now: datetime) -> list[ConversationState]:
        # The rows are locked first, as a message's opening read locks its row before it takes the
        # ledger lock: both take row, then ledger, so neither waits for the other in a cycle.
        keys = (await self.s.execute(select(ConversationRow.key).where(ConversationRow.expires_at <= now)
                                     .with_for_update(), execution_options=FREE)).scalars()
        return [s for k in keys.all() if (s := await self.load(k)) is not None]

