"""Projector for group chat bindings."""
from __future__ import annotations

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.groups import GROUP_BOUND, GROUP_UNBOUND
from core.records import Event
from storage.projectors.registry import projects
from storage.tables.groups import UnitChatRow


@projects(GROUP_BOUND, GROUP_UNBOUND)
async def _group(session: AsyncSession, e: Event) -> None:
    p = e.payload
    table = UnitChatRow.__table__
    await session.execute(delete(table).where(UnitChatRow.channel == p["channel"], UnitChatRow.chat_id == p["chat_id"]))
    if e.type == GROUP_BOUND:
        await session.execute(insert(table).values(channel=p["channel"], chat_id=p["chat_id"], unit=p["unit"],
                                                   title=p.get("title", ""), bound_by=e.actor, bound_at=e.at))
