"""Current-state tables as a pure function of events: applied on append, and again on rebuild.

The projector modules are imported below in the order their projectors run for an event
they share (a lead fills the projects table before its reporting facts): an explicit list,
so a new feature's projectors are listed here, not found by filename.
"""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Event
from storage.ledger import row_to_event, stream
from storage.projectors.registry import PROJECTORS
from storage.projectors import records  # noqa: I001 - the order is the point
from storage.projectors import facts, groups, reports, sharing, evidence  # noqa: F401 - imported to register
from storage.tables import PROJECTION_TABLES


async def apply(session: AsyncSession, event: Event) -> None:
    for fn in PROJECTORS.get(event.type, ()):
        await fn(session, event)


async def rebuild(session: AsyncSession) -> int:
    """Empty every projection and replay the ledger into it; returns the events applied."""
    for table in reversed(PROJECTION_TABLES):
        await session.execute(delete(table))
    count = 0
    async for row in stream(session):
        await apply(session, row_to_event(row))
        count += 1
    return count
