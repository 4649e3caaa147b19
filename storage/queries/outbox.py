"""Reads for operators: the outbox as `zsbot outbox` shows it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.groups import ROBOT_CHANNEL, ROBOT_PREFIX
from storage.tables.groups import UnitChatRow
from storage.tables.operational import OutboxRow
from storage.tables.org import MemberRow

PENDING = ("pending", "sending")


@dataclass(frozen=True)
class OutboxLine:
    id: int
    kind: str
    key: str
    status: str
    channel: str
    chat_id: str
    member: str | None
    member_unit: str | None   # the member's unit code, when the row is for a member
    group_unit: str | None    # the unit code, when the row is for a unit's group chat (or its robot)
    created_at: datetime
    not_before: datetime
    sent_at: datetime | None
    action: str
    attempts: int
    last_error: str | None


async def outbox_lines(session: AsyncSession, *, pending_only: bool = False, limit: int = 200,
                       kind: str | None = None) -> list[OutboxLine]:
    """The newest `limit` outbox rows (oldest first), with the recipient's name and unit."""
    q = (select(OutboxRow, MemberRow.name, MemberRow.unit, UnitChatRow.unit)
         .outerjoin(MemberRow, MemberRow.id == OutboxRow.member_id)
         .outerjoin(UnitChatRow, and_(UnitChatRow.channel == OutboxRow.channel,
                                      UnitChatRow.chat_id == OutboxRow.chat_id)))
    if pending_only:
        q = q.where(OutboxRow.status.in_(PENDING))
    if kind is not None:
        q = q.where(OutboxRow.kind == kind)
    rows = (await session.execute(q.order_by(OutboxRow.id.desc()).limit(limit))).all()
    return [OutboxLine(id=r.id, kind=r.kind, key=r.key, status=r.status, channel=r.channel, chat_id=r.chat_id,
                       member=name, member_unit=unit, group_unit=group or _robot_unit(r.channel, r.chat_id),
                       created_at=r.created_at, not_before=r.not_before, sent_at=r.sent_at,
                       action=r.action, attempts=r.attempts, last_error=r.last_error)
            for r, name, unit, group in reversed(rows)]


def _robot_unit(channel: str, chat_id: str) -> str | None:
    if channel == ROBOT_CHANNEL and chat_id.startswith(ROBOT_PREFIX):
        return chat_id[len(ROBOT_PREFIX):]
    return None
