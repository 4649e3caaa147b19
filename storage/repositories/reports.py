"""`uow.reports`: half-monthly report submissions, quarterly observation projects, on-time figures."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.halfmonthly import Submission
from storage.queries.report_rates import OnTimeRate, on_time_rates
from storage.tables.reports import ObservationRow, ReportSubmissionRow


def _submission(r: ReportSubmissionRow) -> Submission:
    return Submission(id=r.id, unit=r.unit, period=r.period, submitted_at=r.submitted_at, on_time=r.on_time,
                      member_id=r.member_id, projects=r.projects, unchanged=r.unchanged, updated=r.updated)


class SqlReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def submission(self, unit: str, period: str) -> Submission | None:
        row = (await self.s.execute(select(ReportSubmissionRow).where(
            ReportSubmissionRow.unit == unit, ReportSubmissionRow.period == period))).scalar()
        return None if row is None else _submission(row)

    async def submissions(self, period: str) -> dict[str, Submission]:
        rows = (await self.s.execute(select(ReportSubmissionRow).where(ReportSubmissionRow.period == period))).scalars()
        return {r.unit: _submission(r) for r in rows}

    async def on_time_rates(self, periods: Sequence[str], units: Sequence[str]) -> dict[str, OnTimeRate]:
        return await on_time_rates(self.s, periods, units)

    async def observation(self, unit: str, quarter: str) -> dict[str, Any] | None:
        row = (await self.s.execute(select(ObservationRow).where(
            ObservationRow.unit == unit, ObservationRow.quarter == quarter).order_by(ObservationRow.id.desc())
            .limit(1))).scalar()
        if row is None:
            return None
        return {"name": row.name, "project_id": row.project_id, "named_at": row.named_at, "member_id": row.member_id}

    async def observations(self, quarters: Sequence[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {q: set() for q in quarters}
        if quarters:
            rows = await self.s.execute(select(ObservationRow.quarter, ObservationRow.unit)
                                        .where(ObservationRow.quarter.in_(list(quarters))))
            for quarter, unit in rows:
                out[quarter].add(unit)
        return out
