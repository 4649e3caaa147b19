"""The 项目库 search (core.project_list.ProjectQuery): filters, sort and one page, in SQL."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.project_list import INDUSTRY_OTHER, ProjectPage, ProjectQuery
from storage.projectors.records import FLAG_COLUMNS
from storage.repositories.projects import LISTED, to_project
from storage.tables.projects import ProjectRow

AMOUNT = func.coalesce(ProjectRow.contract_wan, ProjectRow.intended_wan, 0)
SORT_COLUMNS: dict[str, Any] = {
    "updated": ProjectRow.updated_at, "id": ProjectRow.id, "name": ProjectRow.name,
    "contract": func.coalesce(ProjectRow.contract_wan, 0), "funds": ProjectRow.funds_wan,
    "intended": func.coalesce(ProjectRow.intended_wan, 0),
}


def _conditions(q: ProjectQuery) -> list[Any]:
    where: list[Any] = [LISTED]
    if q.unit:
        where.append(or_(ProjectRow.responsible_unit == q.unit, ProjectRow.owner_unit == q.unit))
    if q.stage is not None:
        where.append(ProjectRow.stage == q.stage.value)
    if q.industry == INDUSTRY_OTHER:
        where.append(ProjectRow.industry_other.is_not(None))
    elif q.industry:
        where.append(ProjectRow.industry == q.industry)
    if q.source:
        where.append(ProjectRow.source == q.source)
    for flag in sorted(q.flags):
        if flag in FLAG_COLUMNS:
            where.append(getattr(ProjectRow, FLAG_COLUMNS[flag]).is_(True))
    if q.min_wan is not None:
        where.append(AMOUNT >= q.min_wan)
    if q.max_wan is not None:
        where.append(AMOUNT <= q.max_wan)
    if q.updated_before is not None:
        where.append(ProjectRow.updated_at < q.updated_before)
    text = (q.text or "").strip()
    if text:
        ref = text.lstrip("#＃")
        options = [ProjectRow.name.contains(text, autoescape=True), ProjectRow.credit_code == text.upper()]
        if q.normalized_text:
            options.append(ProjectRow.normalized_name.contains(q.normalized_text, autoescape=True))
        if ref.isdigit() and len(ref) <= 18:
            options.append(ProjectRow.id == int(ref))
        where.append(or_(*options))
    return where


async def search_projects(session: AsyncSession, q: ProjectQuery) -> ProjectPage:
    """One page (`per_page` 0: every match, for the xlsx download) and the number of matches."""
    where = _conditions(q)
    total = (await session.execute(select(func.count()).select_from(ProjectRow).where(*where))).scalar_one()
    column = SORT_COLUMNS.get(q.sort, ProjectRow.updated_at)
    order = [column.desc() if q.descending else column.asc(), ProjectRow.id.desc()]
    stmt = select(ProjectRow).where(*where).order_by(*order)
    if q.per_page > 0:
        stmt = stmt.limit(q.per_page).offset((q.page - 1) * q.per_page)
    rows = await session.execute(stmt)
    return ProjectPage([to_project(r) for r in rows.scalars()], total, q.page, q.per_page or max(total, 1))
