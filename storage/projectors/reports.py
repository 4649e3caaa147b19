"""Projectors of the half-monthly report and observation events (they read only the event)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.records import Event
from storage.projectors.registry import projects
from storage.tables.reports import ObservationRow, ReportSubmissionRow


@projects(ev.REPORT_SUBMITTED)
async def _report(session: AsyncSession, e: Event) -> None:
    p = ev.ReportSubmitted.from_dict(e.payload)
    counts = p.counts
    await session.execute(insert(ReportSubmissionRow).values(
        id=e.seq, unit=p.unit, period=p.period, submitted_at=e.at,
        deadline_at=datetime.fromisoformat(p.deadline), on_time=bool(p.on_time), member_id=e.actor,
        projects=counts.projects, unchanged=counts.unchanged, updated=counts.updated))


@projects(ev.OBSERVATION_NAMED)
async def _observation(session: AsyncSession, e: Event) -> None:
    p = ev.ObservationNamed.from_dict(e.payload)
    await session.execute(insert(ObservationRow).values(
        id=e.seq, unit=p.unit, quarter=p.quarter, project_id=p.project_id, name=p.name,
        member_id=e.actor, named_at=e.at))
