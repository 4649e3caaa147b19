"""Bulk reads for exports and reports."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Project
from storage.repositories.projects import to_project
from storage.tables.projects import ProjectRow


async def all_projects(session: AsyncSession) -> list[Project]:
    rows = (await session.execute(select(ProjectRow).order_by(ProjectRow.id))).scalars()
    return [to_project(r) for r in rows]
