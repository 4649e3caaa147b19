"""Projector for group chat bindings."""
from __future__ import annotations

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.records import Event
from storage.projectors.registry import projects
from storage.tables.groups import UnitChatRow


@projects(ev.GROUP_BOUND, ev.GROUP_UNBOUND)
async def _group(session: AsyncSession, e: Event) -> None:
    p = ev.GroupBound.from_dict(e.payload) if e.type == ev.GROUP_BOUND else ev.GroupUnbound.from_dict(e.payload)
    table = UnitChatRow.__table__
    await session.execute(delete(table).where(UnitChatRow.channel == p.channel, UnitChatRow.chat_id == p.chat_id))
    if isinstance(p, ev.GroupBound):
        await session.execute(insert(table).values(channel=p.channel, chat_id=p.chat_id, unit=p.unit,
                                                   title=p.title, bound_by=e.actor, bound_at=e.at))
