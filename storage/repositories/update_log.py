"""`uow.updates`: which channel deliveries were handled, so a repeat within 24 hours has no effect;
and each one's replies until the channel sent them (handlers/stored_replies.py)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import CursorResult, String, any_, bindparam, column, delete, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from core.messages import Outbound
from core.ports import UnsentReplies
from storage import upsert
from storage.direct import direct
from storage.session_connection import SessionConnection
from storage.tables.operational import ProcessedUpdateRow

_ACTIONS: TypeAdapter[list[Outbound]] = TypeAdapter(list[Outbound])
_T = ProcessedUpdateRow.__table__




@cache
def _replied(dialect: str) -> Any:
    """Built once: the next message runs it (the marks of the replies sent), or the timer a second later. The ids
    are one parameter (an array; on SQLite a JSON list), so the statement is the same for any number of them and
    runs on the driver's connection (storage/direct.py). Parameters: r_channel, r_updates."""
    if dialect == "postgresql":
        listed = _T.c.update_id == any_(bindparam("r_updates", type_=postgresql.ARRAY(String)))
    else:
        listed = _T.c.update_id.in_(select(column("value")).select_from(func.json_each(bindparam("r_updates"))))
    return direct(update(_T).where(_T.c.channel == bindparam("r_channel"), listed, _T.c.replies.is_not(None))
                  .values(replies=None, replies_at=None))


class SqlUpdateLog:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn
        self._now = clock_now

    def now(self) -> datetime:
        now: datetime = self._now()
        return now

    async def seen(self, channel: str, update_id: str, *, sent: Sequence[str] = ()) -> bool:
        """True when this update was handled in the last 24 hours; otherwise it is recorded as handled now.
        One statement: the row is inserted, or an older one (an id the channel reused) refreshed; on PostgreSQL
        it also forgets the replies `sent` (a statement there is a round trip)."""
        now = self._now()
        values = {"channel": channel, "update_id": update_id, "at": now, "cutoff": now - timedelta(hours=24)}
        if sent and self.c.dialect.name == "postgresql" and update_id not in sent:
            # Not when the update itself is among them: one statement would touch its row twice.
            found = await self.c.execute(upsert.record_update_after_sent(), {
                "sent_channel": channel, "record_update": update_id, "record_at": now, "cutoff": values["cutoff"],
                "sent": list(sent)}, lock_free=True)
            return bool(found.scalar() == 0)
        if sent:
            await self.replied(channel, sent)
        # Lock-free: the primary key decides, a concurrent second delivery waits for the first's commit.
        done: CursorResult[Any] = await self.c.execute(upsert.record_update(self.c.dialect.name), values,
                                                       lock_free=True)
        return done.rowcount == 0

    async def keep_replies(self, channel: str, update_id: str, chat_id: str, actions: Sequence[Outbound]) -> None:
        # One statement by primary key, in the update's own transaction (the row `seen` wrote or refreshed).
        stored = json.dumps({"chat": chat_id, "actions": _ACTIONS.dump_python(list(actions), mode="json")},
                            ensure_ascii=False)
        values = {"k_channel": channel, "k_update": update_id, "k_replies": stored, "k_at": self._now()}
        statement = upsert.KEEP_REPLIES
        waiting = self.c.take_waiting()
        if waiting is not None:  # the conversation's write, in the same statement (SqlConversationRepository)
            kind, _, conversation = waiting
            values.update({f"c_{k}": v for k, v in conversation.items()})
            statement = upsert.keep_after_conversation(kind)
        await self.c.execute(statement, values, lock_free=True)

    async def replied(self, channel: str, update_ids: Sequence[str]) -> int:
        dialect = self.c.dialect.name
        ids = list(update_ids) if dialect == "postgresql" else json.dumps(list(update_ids))
        done: CursorResult[Any] = await self.c.execute(_replied(dialect), {"r_channel": channel, "r_updates": ids},
                                                       lock_free=True)
        return done.rowcount or 0

    async def unsent(self, channel: str, *, stored_before: datetime, update_id: str | None = None,
                     limit: int = 100) -> list[UnsentReplies]:
        query = (select(_T.c.update_id, _T.c.replies, _T.c.replies_at)
                 .where(_T.c.channel == channel, _T.c.replies.is_not(None), _T.c.replies_at < stored_before)
                 .order_by(_T.c.replies_at).limit(limit))
        if update_id is not None:
            query = query.where(_T.c.update_id == update_id)
        rows = (await self.c.execute(query, lock_free=True)).all()
        found = []
        for uid, stored, at in rows:
            data = json.loads(stored)
            found.append(UnsentReplies(channel=channel, update_id=uid, chat_id=data["chat"],
                                       actions=_ACTIONS.validate_python(data["actions"]),
                                       stored_at=at))
        return found

    async def take(self, channel: str, update_id: str) -> bool:
        # The WHERE decides who took them: a concurrent taker waits for this commit and finds NULL.
        return await self.replied(channel, [update_id]) == 1

    async def forget_before(self, before: datetime) -> int:
        # A DELETE's result is a CursorResult, which has the rowcount; Session.execute types it as a Result.
        done = cast(CursorResult[Any],
                    await self.s.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.at < before)))
        return done.rowcount or 0
