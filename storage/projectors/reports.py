"""Projectors of the half-monthly report and observation events (they read only the event)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Event
from core.reporting import OBSERVATION_NAMED, REPORT_SUBMITTED
from storage.projectors.registry import projects
from storage.tables.reports import ObservationRow, ReportSubmissionRow


@projects(REPORT_SUBMITTED)
async def _report(session: AsyncSession, e: Event) -> None:
    p = e.payload
    counts = p.get("counts", {})
    await session.execute(insert(ReportSubmissionRow).values(
        id=e.seq, unit=p["unit"], period=p["period"], submitted_at=e.at,
        deadline_at=datetime.fromisoformat(p["deadline"]), on_time=bool(p["on_time"]), member_id=e.actor,
        projects=counts.get("projects", 0), unchanged=counts.get("unchanged", 0), updated=counts.get("updated", 0)))


@projects(OBSERVATION_NAMED)
async def _observation(session: AsyncSession, e: Event) -> None:
    p = e.payload
    await session.execute(insert(ObservationRow).values(
        id=e.seq, unit=p["unit"], quarter=p["quarter"], project_id=p.get("project_id"), name=p["name"],
        member_id=e.actor, named_at=e.at))
