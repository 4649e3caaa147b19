"""Bulk reads for exports and reports."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Project
from storage.repositories.projects import LISTED, to_project
from storage.tables.projects import ProjectRow


async def all_projects(session: AsyncSession) -> list[Project]:
    """Every project but the voided ones (entered by mistake), by id."""
    rows = (await session.execute(select(ProjectRow).where(LISTED).order_by(ProjectRow.id))).scalars()
    return [to_project(r) for r in rows]
