"""Reads for operators: the outbox as `zsbot outbox` shows it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.tables.operational import OutboxRow
from storage.tables.org import MemberRow

PENDING = ("pending",)


@dataclass(frozen=True)
class OutboxLine:
    id: int
    kind: str
    key: str
    status: str
    channel: str
    chat_id: str
    member: str | None
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None
    action: str
    attempts: int
    last_error: str | None


async def outbox_lines(session: AsyncSession, *, pending_only: bool = False, limit: int = 200,
                       kind: str | None = None) -> list[OutboxLine]:
    """The newest `limit` outbox rows (oldest first), with the recipient's name when it is a member."""
    q = select(OutboxRow, MemberRow.name).outerjoin(MemberRow, MemberRow.id == OutboxRow.member_id)
    if pending_only:
        q = q.where(OutboxRow.status.in_(PENDING))
    if kind is not None:
        q = q.where(OutboxRow.kind == kind)
    rows = (await session.execute(q.order_by(OutboxRow.id.desc()).limit(limit))).all()
    return [OutboxLine(id=r.id, kind=r.kind, key=r.key, status=r.status, channel=r.channel, chat_id=r.chat_id,
                       member=name, created_at=r.created_at, not_before=r.not_before, sent_at=r.sent_at,
                       action=r.action, attempts=r.attempts, last_error=r.last_error)
            for r, name in reversed(rows)]
